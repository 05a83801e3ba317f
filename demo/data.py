"""The demo data's fixed tables: villages and their shops, producers, products, categories,
bureaus, users and stories. Places are real (official township codes from the 2022 NBS
data); villages, organisations, people and figures other than the quoted press figures are
made up. Products follow what the source articles name for each place: peony, asparagus
and yam in Heze, ejiao, walnuts and vegetables in Liaocheng, Zaozhuang's certified
catalogue, Zhengzhou's Zhongmu county, and Guizhou's Miao embroidery, batik and cili."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from producers.models import Producer

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Every demo timestamp is an offset from this moment, never from "now", so that the same
# seed always gives the same data.
DEMO_BASE = datetime(2025, 6, 1, 9, 0, tzinfo=SHANGHAI)

DEMO_COLLECTION_NAME = "演示数据 Demo data"
STORY_INDEX_SLUG = "stories"
PAVILION_INDEX_SLUG = "pavilions"

# Where buyers paying by bank transfer send the money: fictional accounts, marked 演示 in
# the name and the bank so nobody mistakes them for real ones. (account name, bank, number)
PLATFORM_PAYEE = ("消费帮扶馆运营服务中心（演示账户）", "中国农业银行菏泽分行营业部（演示）", "1560 0101 0400 0618 8")
# One shop takes transfers for its own single-shop orders; every other order goes to the platform's.
SHOP_PAYEES = {
    "shanxian-zhulou": (
        "单县朱楼村股份经济合作社（演示账户）",
        "山东单县农村商业银行浮岗支行（演示）",
        "9150 2010 0088 1201 01",
    ),
}


# --- categories: the seven of Zaozhuang's certified catalogue -------------------------------------------------------

CATEGORIES: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    # (slug, name, English name, [(sub slug, name, English name)])
    (
        "fruit-vegetables",
        "果蔬",
        "Fruit & vegetables",
        [
            ("vegetables", "新鲜蔬菜", "Vegetables"),
            ("fruit", "时令水果", "Fruit"),
            ("roots-tubers", "山药薯类", "Yam & tubers"),
        ],
    ),
    (
        "grain-oil",
        "粮油",
        "Grain & oil",
        [
            ("grains", "五谷杂粮", "Grains"),
            ("edible-oil", "食用油", "Edible oil"),
            ("flour-noodles", "面粉粉条", "Flour & noodles"),
            ("condiments", "调味干货", "Condiments & spices"),
        ],
    ),
    (
        "snacks",
        "休闲食品",
        "Snacks",
        [
            ("nuts", "坚果炒货", "Nuts"),
            ("dried-fruit", "果干蜜饯", "Dried fruit"),
            ("tea-drinks", "茶饮冲调", "Tea & drinks"),
            ("local-snacks", "地方小吃", "Local snacks"),
        ],
    ),
    (
        "daily-goods",
        "日用品",
        "Daily goods",
        [
            ("household-goods", "家居用品", "Household goods"),
            ("textiles", "土布家纺", "Home textiles"),
            ("clothing", "服饰", "Clothing"),
        ],
    ),
    (
        "cooked-pastry",
        "熟食糕点",
        "Cooked food & pastry",
        [
            ("cooked-meats", "卤味熟食", "Cooked meats"),
            ("pastries", "传统糕点", "Pastries"),
            ("tonics", "滋补食品", "Tonic foods"),
        ],
    ),
    (
        "plants-flowers",
        "花卉苗木",
        "Plants & flowers",
        [
            ("peonies", "牡丹芍药", "Peonies"),
            ("bonsai", "盆景盆栽", "Bonsai & potted plants"),
            ("seedlings", "果木种苗", "Seedlings"),
        ],
    ),
    (
        "handicrafts",
        "手工艺品",
        "Handicrafts",
        [
            ("weaving", "柳编草编", "Wicker & straw"),
            ("embroidery-batik", "刺绣蜡染", "Embroidery & batik"),
            ("wood-paper", "木艺纸艺", "Wood & paper crafts"),
            ("silverwork", "银饰", "Silverwork"),
        ],
    ),
]

# Card colours per top-level category (RGB), for the generated product pictures.
CATEGORY_COLOURS = {
    "fruit-vegetables": (76, 145, 65),
    "grain-oil": (201, 146, 38),
    "snacks": (196, 92, 52),
    "daily-goods": (70, 110, 160),
    "cooked-pastry": (168, 70, 60),
    "plants-flowers": (190, 80, 130),
    "handicrafts": (110, 80, 150),
}


# --- villages, shops, producers and products -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProducer:
    key: str  # unique within its village
    kind: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class DemoProduct:
    title: str
    category: str  # sub-category slug
    unit: str
    price_fen: int  # the seed moves it by up to ±10 %
    summary: str
    producer: str  # DemoProducer.key within the village
    listed: bool = True


@dataclass(frozen=True)
class DemoVillage:
    code: str  # 12 digits: a real 9-digit township code + 3 made-up digits
    name: str
    slug: str  # ASCII, for the shop's URL
    shop_name: str
    shop_description: str
    producers: list[DemoProducer] = field(default_factory=list)
    products: list[DemoProduct] = field(default_factory=list)
    shop_active: bool = True
    surname: str = ""  # a surname many households of the village share, as in real villages
    phone: str = ""

    @property
    def township_code(self) -> str:
        return self.code[:9]

    @property
    def county_code(self) -> str:
        return self.code[:6]


COOP = Producer.Kind.COOPERATIVE
WORKSHOP = Producer.Kind.WORKSHOP
ENTERPRISE = Producer.Kind.ENTERPRISE
COLLECTIVE = Producer.Kind.COLLECTIVE
HOUSEHOLD = Producer.Kind.HOUSEHOLD

VILLAGES: list[DemoVillage] = [
    DemoVillage(
        code="371722110201",
        name="朱楼村",
        slug="shanxian-zhulou",
        shop_name="单县朱楼村电商服务站",
        shop_description="浮龙湖畔的芦笋村。“一条网线、一台电脑、一个网店”，全村芦笋、粉皮和汤料从这里发往全国。",
        surname="朱",
        phone="0530-4601201",
        producers=[
            DemoProducer("coop", COOP, "单县朱楼村芦笋种植专业合作社", "统一育苗、统一收购，保底价收购脱贫户的芦笋。"),
            DemoProducer("workshop", WORKSHOP, "单县朱楼村扶贫车间", "在家门口就业：分拣、包装和汤料加工。"),
            DemoProducer("collective", COLLECTIVE, "单县朱楼村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "朱守法家庭农场", "养殖麻鸭，腌制咸鸭蛋。"),
        ],
        products=[
            DemoProduct("单县白芦笋（头茬）", "vegetables", "2.5千克/箱", 6990, "清晨采收，冷链直发，脆嫩无渣", "coop"),
            DemoProduct("单县绿芦笋", "vegetables", "1.5千克/箱", 4590, "露地种植，清炒凉拌皆宜", "coop"),
            DemoProduct("芦笋茶", "tea-drinks", "100克/罐", 3800, "芦笋嫩茎低温烘制，清香回甘", "workshop"),
            DemoProduct("单县羊肉汤料包", "cooked-meats", "450克×4袋", 8800, "老汤熬制，开袋加热即食", "workshop"),
            DemoProduct("浮龙湖咸鸭蛋", "local-snacks", "20枚/箱", 5800, "湖边散养麻鸭蛋，红心流油", "farm"),
            DemoProduct("手工粉皮", "flour-noodles", "1千克/袋", 2600, "绿豆淀粉手工摊制，久煮不烂", "collective"),
        ],
    ),
    DemoVillage(
        code="371722102203",
        name="李庄村",
        slug="shanxian-lizhuang",
        shop_name="单县李庄村电商服务站",
        shop_description="黄岗镇沙土地种山药，合作社带着脱贫户种、收、卖。",
        surname="李",
        phone="0530-4602203",
        producers=[
            DemoProducer("coop", COOP, "单县李庄村山药种植专业合作社", "土地流转连片种植，脱贫户以地入股分红。"),
            DemoProducer("collective", COLLECTIVE, "单县李庄村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "李长江家庭农场"),
        ],
        products=[
            DemoProduct("菏泽铁棍山药", "roots-tubers", "2.5千克/箱", 5990, "沙土地种植，粉糯绵甜，带泥发货", "coop"),
            DemoProduct("山药脆片", "local-snacks", "80克×6袋", 2990, "非油炸低温烘焙", "coop"),
            DemoProduct("山药粉", "flour-noodles", "500克/袋", 3900, "铁棍山药整根研磨，冲调即食", "coop"),
            DemoProduct("单县小米", "grains", "2.5千克/袋", 3290, "当年新米，熬粥出油", "farm"),
            DemoProduct("石磨全麦面粉", "flour-noodles", "5千克/袋", 3990, "村集体磨坊石磨慢磨，不添加", "collective"),
        ],
    ),
    DemoVillage(
        code="371721121201",
        name="丁楼村",
        slug="caoxian-dinglou",
        shop_name="曹县丁楼村电商服务站",
        shop_description="从一个网店做成淘宝村：演出服、汉服、柳编和鲁锦，留在家门口的手艺。",
        surname="丁",
        phone="0530-3301201",
        producers=[
            DemoProducer("enterprise", ENTERPRISE, "曹县丁楼服饰有限公司", "龙头企业，订单帮扶带动村内加工户。"),
            DemoProducer("workshop", WORKSHOP, "丁楼村服饰扶贫车间", "计件务工，照顾家庭两不误。"),
            DemoProducer("coop", COOP, "曹县丁楼村柳编专业合作社"),
        ],
        products=[
            DemoProduct("手工刺绣马面裙", "clothing", "1件", 26800, "织金面料，手工钉珠刺绣", "enterprise"),
            DemoProduct("儿童演出服", "clothing", "1套", 8900, "幼儿园、小学演出款，可定制", "workshop"),
            DemoProduct("柳编收纳筐", "weaving", "大号1个", 6800, "杞柳手工编织，结实透气", "coop"),
            DemoProduct("柳编野餐篮", "weaving", "1个", 9800, "带布衬，可折叠提手", "coop"),
            DemoProduct("手织鲁锦床单", "textiles", "2×2.3米/条", 39800, "纯棉土布，二十余道工序手工织成", "workshop"),
            DemoProduct("鲁锦抱枕", "textiles", "1对", 12800, "鲁西南传统织锦纹样", "workshop"),
            DemoProduct("桐木首饰盒", "wood-paper", "1个", 4500, "曹县泡桐木，轻巧防潮", "enterprise"),
        ],
    ),
    DemoVillage(
        code="371721101205",
        name="桐庄村",
        slug="caoxian-tongzhuang",
        shop_name="曹县桐庄村电商服务站",
        shop_description="暂停营业：网店正在整改。",
        shop_active=False,
        surname="王",
        producers=[
            DemoProducer("coop", COOP, "曹县桐庄村木制品专业合作社"),
            DemoProducer("collective", COLLECTIVE, "曹县桐庄村股份经济合作社"),
        ],
        products=[
            DemoProduct("泡桐木茶叶盒", "wood-paper", "1个", 3900, "榫卯结构，不用一根钉", "coop"),
            DemoProduct("桐木砧板", "household-goods", "1块", 5900, "整木切制，不开裂", "coop"),
            DemoProduct("柳编果盘", "weaving", "1个", 2900, "手工编织，天然本色", "collective"),
        ],
    ),
    DemoVillage(
        code="371702106202",
        name="赵楼村",
        slug="mudan-zhaolou",
        shop_name="牡丹区赵楼村电商服务站",
        shop_description="中国牡丹之都的种植村：观赏牡丹、油用牡丹、牡丹花茶和牡丹饼。",
        surname="赵",
        phone="0530-5861202",
        producers=[
            DemoProducer("enterprise", ENTERPRISE, "菏泽赵楼牡丹生物科技有限公司", "保底收购村里的牡丹籽，冷榨制油。"),
            DemoProducer("coop", COOP, "牡丹区赵楼村牡丹种植专业合作社"),
            DemoProducer("workshop", WORKSHOP, "赵楼村牡丹糕点扶贫车间"),
            DemoProducer("collective", COLLECTIVE, "牡丹区赵楼村股份经济合作社"),
        ],
        products=[
            DemoProduct(
                "冷榨牡丹籽油", "edible-oil", "500毫升/瓶", 16800, "α-亚麻酸含量高，低温物理压榨", "enterprise"
            ),
            DemoProduct("牡丹籽油礼盒", "edible-oil", "250毫升×2瓶", 29800, "节日送礼装", "enterprise"),
            DemoProduct("牡丹花茶", "tea-drinks", "50克/罐", 4800, "整朵花蕾低温烘干", "coop"),
            DemoProduct("盆栽观赏牡丹", "peonies", "3年生1盆", 12800, "洛阳红、赵粉等品种，带花苞发货", "coop"),
            DemoProduct("油用牡丹种苗（凤丹）", "seedlings", "100株/捆", 9900, "两年生实生苗，附种植指导", "coop"),
            DemoProduct("曹州牡丹饼", "pastries", "8枚/盒", 3600, "牡丹花酱馅，酥皮现烤", "workshop"),
        ],
    ),
    DemoVillage(
        code="370406108201",
        name="东庄村",
        slug="shanting-dongzhuang",
        shop_name="山亭区东庄村电商服务站",
        shop_description="冯卯镇山区村：火樱桃、核桃、花椒，还有扶贫车间里摊出来的杂粮煎饼。",
        surname="孔",
        phone="0632-8801201",
        producers=[
            DemoProducer("coop", COOP, "山亭区东庄村火樱桃专业合作社", "统一技术指导与收购，脱贫户务工采摘。"),
            DemoProducer("workshop", WORKSHOP, "东庄村煎饼扶贫车间", "吸纳弱劳力、半劳力在村就业。"),
            DemoProducer("collective", COLLECTIVE, "山亭区东庄村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "孔德胜家庭农场"),
        ],
        products=[
            DemoProduct("山亭火樱桃", "fruit", "1.5千克/箱", 8800, "山地小樱桃，酸甜多汁，顺丰冷链", "coop"),
            DemoProduct("大红袍花椒", "condiments", "250克/袋", 3200, "颗粒饱满，麻香浓郁", "coop"),
            DemoProduct("樱桃树苗", "seedlings", "10株/捆", 8800, "嫁接两年苗，当年栽植次年挂果", "coop"),
            DemoProduct("山亭核桃", "nuts", "1千克/袋", 4200, "薄皮好剥，仁白味香", "farm"),
            DemoProduct("山楂片", "dried-fruit", "200克×5袋", 2580, "老式工艺，酸甜开胃", "workshop"),
            DemoProduct("手工杂粮煎饼", "pastries", "1.5千克/袋", 2990, "小米、玉米、高粱鏊子摊制", "workshop"),
            DemoProduct("山亭土蜂蜜", "tea-drinks", "500克/瓶", 5800, "百花成熟蜜，一年一取", "farm"),
        ],
    ),
    DemoVillage(
        code="370406103202",
        name="西岭村",
        slug="shanting-xiling",
        shop_name="山亭区西岭村电商服务站",
        shop_description="桑村镇的板栗和冬桃，村集体统一收购、统一发货。",
        surname="张",
        phone="0632-8803202",
        producers=[
            DemoProducer("coop", COOP, "山亭区西岭村板栗专业合作社"),
            DemoProducer("collective", COLLECTIVE, "山亭区西岭村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "张广福果园"),
        ],
        products=[
            DemoProduct("山亭板栗", "nuts", "2.5千克/箱", 5600, "个小皮薄，糯甜适合糖炒", "coop"),
            DemoProduct("香椿芽酱", "condiments", "280克×2瓶", 3900, "谷雨前头茬香椿", "coop"),
            DemoProduct("桑村小米", "grains", "2.5千克/袋", 3600, "山坡旱地谷子", "collective"),
            DemoProduct("手工高粱笤帚", "household-goods", "2把", 3800, "高粱穗手工绑扎，扫地不扬尘", "collective"),
            DemoProduct("山亭冬桃", "fruit", "3千克/箱", 6600, "霜降后采摘，脆甜耐放", "farm"),
        ],
    ),
    DemoVillage(
        code="370404103201",
        name="贾泉村",
        slug="yicheng-jiaquan",
        shop_name="峄城区贾泉村电商服务站",
        shop_description="万亩石榴园里的村庄：鲜果、石榴汁、石榴盆景和根雕。",
        surname="贾",
        phone="0632-7701201",
        producers=[
            DemoProducer("coop", COOP, "峄城区贾泉村石榴专业合作社"),
            DemoProducer("enterprise", ENTERPRISE, "枣庄榴乡食品有限公司", "石榴深加工，订单收购脱贫户石榴。"),
            DemoProducer("workshop", WORKSHOP, "贾泉村石榴盆景扶贫车间"),
            DemoProducer("collective", COLLECTIVE, "峄城区贾泉村股份经济合作社"),
        ],
        products=[
            DemoProduct("峄城软籽石榴", "fruit", "5千克/箱", 7900, "籽软可嚼，汁多味甜", "coop"),
            DemoProduct("NFC石榴汁", "tea-drinks", "300毫升×8瓶", 9600, "鲜果压榨，不加水不加糖", "enterprise"),
            DemoProduct("石榴花茶", "tea-drinks", "50克/罐", 3600, "石榴花蕾手工采摘", "coop"),
            DemoProduct("石榴手工皂", "household-goods", "100克×3块", 3900, "冷制工艺，石榴籽油入皂", "enterprise"),
            DemoProduct("石榴盆景", "bonsai", "1盆", 38800, "十年老桩，造型独特", "workshop"),
            DemoProduct("石榴树苗", "seedlings", "5株", 6800, "软籽品种嫁接苗", "coop"),
            DemoProduct("石榴木根雕摆件", "wood-paper", "1件", 26800, "老石榴树根手工雕刻", "workshop"),
        ],
    ),
    DemoVillage(
        code="371524101203",
        name="皋上村",
        slug="donga-gaoshang",
        shop_name="东阿县皋上村电商服务站",
        shop_description="养驴扶贫村：差价送驴、代养母驴，阿胶和驴肉带动全村增收。",
        surname="刘",
        phone="0635-3281203",
        producers=[
            DemoProducer(
                "enterprise", ENTERPRISE, "东阿县皋上阿胶制品有限公司", "“公司+基地+农户”，保底收购农户养的驴。"
            ),
            DemoProducer("coop", COOP, "东阿县皋上村黑毛驴养殖专业合作社", "代养母驴，脱贫户入股分红。"),
            DemoProducer("collective", COLLECTIVE, "东阿县皋上村股份经济合作社"),
        ],
        products=[
            DemoProduct("东阿阿胶块", "tonics", "250克/盒", 49800, "传统工艺熬制，黑亮透明", "enterprise"),
            DemoProduct("即食阿胶糕", "tonics", "500克/盒", 16800, "阿胶、黑芝麻、核桃仁、红枣", "enterprise"),
            DemoProduct("阿胶蜜枣", "dried-fruit", "500克/袋", 3990, "金丝小枣阿胶浸制", "enterprise"),
            DemoProduct("五香驴肉", "cooked-meats", "250克×2袋", 8800, "老汤卤制，真空包装", "coop"),
        ],
    ),
    DemoVillage(
        code="371524105201",
        name="邓庙村",
        slug="donga-dengmiao",
        shop_name="东阿县邓庙村电商服务站",
        shop_description="姜楼镇的蔬菜大棚和核桃园，“合作社+基地+脱贫户”。",
        surname="邓",
        phone="0635-3285201",
        producers=[
            DemoProducer("veg", COOP, "东阿县邓庙村蔬菜种植专业合作社", "大棚租给脱贫户种植，合作社包销。"),
            DemoProducer("walnut", COOP, "东阿县邓庙村核桃专业合作社", "材果兼用核桃，林地流转给合作社经营。"),
            DemoProducer("collective", COLLECTIVE, "东阿县邓庙村股份经济合作社"),
        ],
        products=[
            DemoProduct("大棚黄瓜", "vegetables", "5千克/箱", 3990, "顶花带刺，当天采摘", "veg"),
            DemoProduct("沙瓤西红柿", "vegetables", "5千克/箱", 4990, "自然成熟，酸甜沙瓤", "veg"),
            DemoProduct("薄皮核桃", "nuts", "2千克/袋", 5900, "手捏即开", "walnut"),
            DemoProduct("原味核桃仁", "nuts", "500克/罐", 4600, "手工剥仁，无硫", "walnut"),
            DemoProduct("核桃嫁接苗", "seedlings", "20株/捆", 12800, "材果兼用品种", "walnut"),
            DemoProduct("压榨花生油", "edible-oil", "5升/桶", 12800, "村集体油坊物理压榨", "collective"),
        ],
    ),
    DemoVillage(
        code="410122102204",
        name="孙庄村",
        slug="zhongmu-sunzhuang",
        shop_name="中牟县孙庄村电商服务站",
        shop_description="官渡古战场边的大蒜和西瓜之乡。",
        surname="孙",
        phone="0371-6261204",
        producers=[
            DemoProducer("garlic", COOP, "中牟县孙庄村大蒜专业合作社"),
            DemoProducer("melon", COOP, "中牟县孙庄村西瓜专业合作社"),
            DemoProducer("collective", COLLECTIVE, "中牟县孙庄村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "孙秀英草莓园"),
        ],
        products=[
            DemoProduct("中牟大蒜", "condiments", "5千克/网袋", 3990, "紫皮独头多，辛辣味足", "garlic"),
            DemoProduct("中牟黑蒜", "local-snacks", "500克/罐", 6800, "发酵九十天，软糯回甘", "garlic"),
            DemoProduct("中牟西瓜", "fruit", "2个/约8千克", 5990, "黄河沙土种植，皮薄沙甜", "melon"),
            DemoProduct("红颜草莓", "fruit", "1.5千克/盒", 8800, "大棚熊蜂授粉，个大香甜", "farm"),
            DemoProduct("红薯粉条", "flour-noodles", "2.5千克/袋", 3990, "纯红薯淀粉，无明矾", "collective"),
        ],
    ),
    DemoVillage(
        code="410122114202",
        name="西庄村",
        slug="zhongmu-xizhuang",
        shop_name="中牟县西庄村电商服务站",
        shop_description="雁鸣湖畔：莲藕、黄河滩大米和扶贫车间的手工挂面。",
        surname="马",
        phone="0371-6271202",
        producers=[
            DemoProducer("coop", COOP, "中牟县西庄村莲藕专业合作社"),
            DemoProducer("workshop", WORKSHOP, "西庄村面食扶贫车间"),
            DemoProducer("collective", COLLECTIVE, "中牟县西庄村股份经济合作社"),
        ],
        products=[
            DemoProduct("雁鸣湖九孔莲藕", "vegetables", "5千克/箱", 4590, "粉藕炖汤，脆藕凉拌", "coop"),
            DemoProduct("荷叶茶", "tea-drinks", "100克/罐", 2900, "夏季嫩荷叶切丝烘干", "coop"),
            DemoProduct("黄河滩大米", "grains", "5千克/袋", 4990, "引黄灌溉，一年一季", "collective"),
            DemoProduct("手工空心挂面", "flour-noodles", "2.5千克/箱", 3590, "手工拉制、自然晾晒", "workshop"),
            DemoProduct("小磨香油", "edible-oil", "400毫升/瓶", 3990, "石磨水代法，芝麻香浓", "workshop"),
        ],
    ),
    DemoVillage(
        code="522630101201",
        name="偏寨村",
        slug="taijiang-pianzhai",
        shop_name="台江县偏寨村电商服务站",
        shop_description="清水江边的苗寨：苗绣、银饰和稻田里养的鱼。",
        surname="杨",
        phone="0855-5301201",
        producers=[
            DemoProducer("coop", COOP, "台江县偏寨村苗绣专业合作社", "绣娘在家接单，计件取酬。"),
            DemoProducer("workshop", WORKSHOP, "偏寨村银饰扶贫车间"),
            DemoProducer("collective", COLLECTIVE, "台江县偏寨村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "吴老木稻鱼田"),
        ],
        products=[
            DemoProduct(
                "苗绣手工刺绣挂画", "embroidery-batik", "60×40厘米", 36800, "破线绣、锡绣，一幅绣一个月", "coop"
            ),
            DemoProduct("苗绣零钱包", "embroidery-batik", "1个", 6800, "绣片拼布，手工缝制", "coop"),
            DemoProduct("苗族手工银手镯", "silverwork", "1只", 59800, "足银錾刻，银匠世家手作", "workshop"),
            DemoProduct("稻花鱼腊鱼", "cooked-meats", "500克/袋", 6800, "稻田鲤鱼，柴火熏制", "farm"),
            DemoProduct("施洞香米", "grains", "5千克/袋", 6990, "山泉水灌溉的香禾糯", "collective"),
        ],
    ),
    DemoVillage(
        code="522636203202",
        name="石桥村",
        slug="danzhai-shiqiao",
        shop_name="丹寨县石桥村电商服务站",
        shop_description="南皋乡的古法造纸村，还有蜡染、刺梨和辣椒。",
        surname="王",
        phone="0855-3601202",
        producers=[
            DemoProducer("paper", COOP, "丹寨县石桥村古法造纸专业合作社", "构树皮收购与造纸务工，带动脱贫户增收。"),
            DemoProducer("workshop", WORKSHOP, "石桥村蜡染扶贫车间"),
            DemoProducer("collective", COLLECTIVE, "丹寨县石桥村股份经济合作社"),
            DemoProducer("farm", HOUSEHOLD, "王老九辣椒地"),
        ],
        products=[
            DemoProduct("古法构皮纸", "wood-paper", "50张/刀", 12800, "构树皮手工抄造，千年不腐", "paper"),
            DemoProduct("花草纸灯笼", "wood-paper", "1盏", 8800, "压入山间花草，透光好看", "paper"),
            DemoProduct("蜡染围巾", "embroidery-batik", "1条", 16800, "蓝靛染色，冰裂纹", "workshop"),
            DemoProduct("蜡染桌旗", "textiles", "1条", 9800, "鸟纹、蝴蝶纹", "workshop", listed=False),
            DemoProduct("刺梨原汁", "tea-drinks", "250毫升×10瓶", 8900, "维生素C含量高，酸涩回甘", "collective"),
            DemoProduct("刺梨果干", "dried-fruit", "250克/袋", 3990, "去籽低糖", "collective"),
            DemoProduct("丹寨干辣椒", "condiments", "500克/袋", 3590, "线椒晒干，香辣适中", "farm"),
        ],
    ),
]


# --- bureaus --------------------------------------------------------------------------------------------------------

# The regions that get a commerce bureau; its name is made from the region's official name.
BUREAUS: list[str] = [
    "37",  # 山东省商务厅
    "3717",
    "3704",
    "3715",
    "4101",
    "5226",
    "371722",
    "371721",
    "371702",
    "370406",
    "370404",
    "371524",
    "410122",
    "522630",
    "522636",
]


# --- users ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[str, ...]
    name: str  # 姓名 as written: 姓 then 名
    sees: str  # what the login table says they see
    superuser: bool = False
    shop: str = ""  # village slug of the shop they operate
    bureau: str = ""  # region code of their bureau
    mobile: str = ""  # the mobile number they sign in with by SMS code (buyers)

    @property
    def password(self) -> str:
        # Readable on purpose: printed by the command and in the README.
        return f"demo-{self.username}"


DEMO_USERS: list[DemoUser] = [
    DemoUser(
        "admin",
        ("platform_admin",),
        "平台管理员",
        "全部数据与后台 /admin/: everything, all regions, users, pages",
        superuser=True,
    ),
    DemoUser(
        "operator-a",
        ("shop_operator",),
        "朱晓燕",
        "只见 单县朱楼村电商服务站 的商品、生产主体、利益联结、认定申报: own shop only",
        shop="shanxian-zhulou",
    ),
    DemoUser(
        "operator-b",
        ("shop_operator",),
        "孔令华",
        "只见 山亭区东庄村电商服务站 的商品、生产主体、利益联结: own shop only",
        shop="shanting-dongzhuang",
    ),
    DemoUser(
        "officer-shanxian",
        ("bureau_officer",),
        "高建民",
        "单县商务局：只读单县数据，认定单县产品，编辑单县馆 read-only + certifies, edits Shan county's pavilion",
        bureau="371722",
    ),
    DemoUser(
        "officer-heze",
        ("bureau_officer",),
        "何丽娟",
        "菏泽市商务局：只读菏泽全市，可认定，编辑菏泽馆、单县馆 read-only + certifies, Heze city; its pavilions",
        bureau="3717",
    ),
    DemoUser(
        "officer-zhongmu",
        ("bureau_officer",),
        "牛志刚",
        "中牟县商务局：只读中牟县，可认定 read-only + certifies, Zhongmu county",
        bureau="410122",
    ),
    DemoUser("buyer", ("buyer",), "陈静", "前台购物 storefront: browse, buy", mobile="13800138000"),
    DemoUser(
        "unit-buyer",
        ("buyer",),
        "孟庆华",
        "单县机关事务服务中心 管理员、采购员：/org/ 单位账户、为单位下单 unit administrator and purchaser",
        mobile="13905300101",
    ),
    DemoUser(
        "unit-approver",
        ("buyer",),
        "贾玉芬",
        "单县机关事务服务中心 审批人 unit approver",
        mobile="13905300102",
    ),
    DemoUser(
        "unit-finance",
        ("buyer",),
        "葛文涛",
        "单县机关事务服务中心 财务 unit finance",
        mobile="13905300103",
    ),
]

# The demo buyer's saved address (username, 收货人姓名, mobile, county code, detail): in
# Guangzhou, a province the demo's producer regions do not hold — buyers live anywhere.
BUYER_ADDRESS = ("buyer", "陈静", "13800138000", "440106", "天河路 385 号 2 栋 1203 室")


# --- households -----------------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘于"
    "蒋蔡余杜程苏魏吕丁任沈姚卢姜崔谭陆范金石贾夏付方白邹孟秦尹薛闫段雷侯史郝邵孔"
)  # fmt: skip
# Miao and Dong villages of Qiandongnan have their own common surnames.
GUIZHOU_SURNAMES = "杨吴龙潘张王李石欧刘熊邰姜万"
GIVEN_NAMES = [
    "秀英", "桂兰", "玉兰", "凤英", "建国", "建军", "德文", "德胜", "振华", "国强", "海燕", "春梅", "秋菊",
    "长江", "广福", "永祥", "大勇", "守法", "学文", "爱民", "新民", "保国", "庆丰", "玉梅", "金花", "翠芳",
    "红霞", "志强", "文明", "付军", "传英", "素珍", "兰芝", "成林", "春生", "二妮", "小龙", "银花", "宝山",
    "明", "军", "伟", "红", "丽", "勇", "芳", "强", "敏", "静",
]  # fmt: skip


# --- stories (paraphrased from the source articles) -----------------------------------------------------------------


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    kind: str
    date: date
    summary: str
    paragraphs: list[tuple[str, str]]  # ("heading" | "paragraph", text)
    region: str = ""  # code of the region the story is about: its pavilion (and those above) list it


ARTICLES: list[DemoArticle] = [
    DemoArticle(
        slug="zaozhuang-132-products",
        title="枣庄认定132种扶贫产品，七大类走上货架",
        kind="story",
        date=date(2020, 10, 17),
        summary="水果蔬菜、粮油副食、休闲零食、日用品、熟食面点、绿植花卉、工艺品，枣庄认定的扶贫产品覆盖七个门类。",
        paragraphs=[
            (
                "paragraph",
                "枣庄把扶贫产品认定作为消费扶贫的第一步：经过认定的产品，才能以扶贫产品的名义进入目录、"
                "走上货架。到2020年10月，全市认定的扶贫产品达到132种，分属水果蔬菜、粮油副食、休闲零食、"
                "日用品、熟食面点、绿植花卉和工艺品七个门类。本站的商品分类沿用的正是这七类。",
            ),
            ("heading", "产业项目的收益去了哪里"),
            (
                "paragraph",
                "2016年以来，枣庄实施了896个产业扶贫项目。到2020年4月，这些项目累计产生收益9671万元，"
                "其中7213万元分配到贫困户手中，2458万元留在村集体，用于村里的扶贫公益事业。"
                "收益怎么分、分给谁，事先写进利益联结机制，每一笔都有账可查。",
            ),
            (
                "paragraph",
                "在本站，每件扶贫产品都登记了它的利益联结：哪些帮扶户、哪个村集体从它的销售中受益，各占多少份额。"
                "商品页上显示受益户的数量，不显示姓名。",
            ),
        ],
    ),
    DemoArticle(
        slug="zaozhuang-live-stream",
        title="29.7万人在线：一场扶贫农产品带货直播",
        kind="campaign",
        date=date(2020, 5, 23),
        summary="山东省内首场扶贫农产品公益带货直播走进枣庄，两小时成交207单。",
        paragraphs=[
            (
                "paragraph",
                "2020年5月23日，“好品山东—乡村名品”区域品牌公益活动走进枣庄，举办了省内第一场扶贫农产品"
                "带货直播。主播在镜头前介绍枣庄的扶贫产品，直播间同时在线人数达到29.7万，两个小时里成交207单。",
            ),
            ("heading", "直播之外"),
            (
                "paragraph",
                "除了直播，枣庄还借助广播、电视和网络向社会推介扶贫产品。本站今后也会为村级网店安排直播带货场次，"
                "并把直播带来的订单和消费帮扶金额一并统计给商务部门。",
            ),
        ],
    ),
    DemoArticle(
        slug="heze-one-line-one-shop",
        title="菏泽：一条网线、一台电脑、一个网店",
        kind="story",
        date=date(2020, 10, 10),
        summary="563个贫困村发展电商，2.5万余名贫困群众受益，43个村成了淘宝村。",
        paragraphs=[
            (
                "paragraph",
                "菏泽立足农村电商的发展优势，在贫困村推行“一条网线、一台电脑、一个网店”工程，"
                "用网络创业带动脱贫。全市先后有563个贫困村发展电商，受益的贫困群众超过2.5万人，"
                "其中43个贫困村发展成了淘宝村，实现整村脱贫。",
            ),
            ("heading", "一村一品"),
            (
                "paragraph",
                "菏泽依托龙头企业等新型经营主体，通过订单帮扶、土地流转等方式，把贫困户纳入产业链条，"
                "形成了“政府投资、企业运营、贫困村资产收益、贫困户入股分红”的模式。"
                "牡丹、芦笋、山药是这里的特色产业，也是本站菏泽网店的主打商品。",
            ),
        ],
    ),
    # One story per demo pavilion (地方馆), tied to its region.
    DemoArticle(
        slug="heze-peony-workshop",
        title="牡丹花开的时候，扶贫车间里也忙",
        kind="story",
        date=date(2025, 4, 18),
        summary="菏泽的牡丹不只供人观赏：花瓣制茶、籽实榨油，村里的扶贫车间把脱贫户留在了家门口。",
        region="3717",
        paragraphs=[
            (
                "paragraph",
                "每年四月，“中国牡丹之都”菏泽的牡丹进入盛花期。赏花的游客走了，花田里的活儿才刚开始："
                "花瓣要赶在一两天里采下、杀青、烘干，做成牡丹花茶；到了七八月，油用牡丹的籽实成熟，"
                "收下来送去压榨成牡丹籽油。",
            ),
            ("heading", "家门口的活计"),
            (
                "paragraph",
                "牡丹区赵楼村的扶贫车间里，分拣花瓣、装罐封口的多是上了年纪的脱贫户和照顾孩子的妇女，"
                "按件计酬，离家不过几百米。车间的产品由村电商服务站挂到网上，每卖出一罐，"
                "收入按登记的利益联结机制分给在车间干活的农户和村集体。",
            ),
        ],
    ),
    DemoArticle(
        slug="shanxian-yam-cooperative",
        title="单县黄岗：沙土地里长出的“致富棒”",
        kind="story",
        date=date(2025, 3, 12),
        summary="李庄村的山药合作社带着脱贫户一起种、一起收、一起卖，网店接单，合作社统一发货。",
        region="371722",
        paragraphs=[
            (
                "paragraph",
                "单县黄岗镇的沙土地疏松透气，种出的山药直溜、面沙。过去村民各种各的，收获时只能等着收购商上门，"
                "价钱由人定。村里牵头成立山药种植专业合作社后，种苗、技术和销路统一起来，"
                "脱贫户以土地和劳力入社，年底按交售量和股份两头分红。",
            ),
            ("heading", "从地头到网店"),
            (
                "paragraph",
                "李庄村电商服务站把山药分级装箱，挂到网上卖到外地。订单多了，合作社在收获季雇村里人挖山药、"
                "打包发货，一天的工钱当天结。每一份订单记在哪几户名下、村集体留多少，网店后台都登记得清清楚楚。",
            ),
        ],
    ),
    DemoArticle(
        slug="zaozhuang-pomegranate-village",
        title="峄城石榴园里的“网红”村",
        kind="story",
        date=date(2025, 10, 9),
        summary="贾泉村把鲜果、石榴汁和石榴盆景搬上网店，村集体统一收购、统一发货，收益分到户。",
        region="3704",
        paragraphs=[
            (
                "paragraph",
                "枣庄峄城的万亩石榴园里，贾泉村守着几百亩老石榴树。九月底到十月，石榴一茬茬成熟，"
                "过去村民挑着担子到路边卖，个头小、品相差的只能烂在地里。",
            ),
            ("heading", "一颗石榴，三种卖法"),
            (
                "paragraph",
                "村电商服务站开张后，好果子装礼盒卖鲜果，品相一般的送去压成石榴汁，老树桩做成盆景和根雕。"
                "村集体统一收购、统一发货，网店的每一笔销售都按利益联结机制记到受益的帮扶户和村集体名下。",
            ),
        ],
    ),
]


# --- regional pavilions (地方馆) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPavilion:
    region: str  # the region's code; its bureau's officers edit the pavilion (cms/rights.py)
    parent: str  # region code of the pavilion it sits under; "" for the pavilion index
    title: str
    slug: str
    intro: str  # rich text (HTML)


# Parents before children. officer-heze (菏泽市商务局) edits 菏泽 and 单县; officer-shanxian only 单县.
PAVILIONS: list[DemoPavilion] = [
    DemoPavilion(
        "3717",
        "",
        "菏泽馆",
        "heze",
        "<p>“中国牡丹之都”菏泽，黄河入鲁第一市。牡丹、芦笋、山药和曹县的演出服、柳编，"
        "从村级网店发往全国，每一笔消费都记到受益的脱贫户和村集体。</p>",
    ),
    DemoPavilion(
        "371722",
        "3717",
        "单县馆",
        "shanxian",
        "<p>浮龙湖畔的芦笋、黄岗沙土地里的山药，还有羊肉汤的汤料：单县的村级电商服务站把它们送到您家。</p>",
    ),
    DemoPavilion(
        "3704",
        "",
        "枣庄馆",
        "zaozhuang",
        "<p>枣庄认定的扶贫产品覆盖七大门类：山亭的火樱桃、核桃和杂粮煎饼，峄城的石榴和石榴汁，都在这里。</p>",
    ),
]


# --- the campaign ---------------------------------------------------------------------------------------------------

CAMPAIGN_INDEX_SLUG = "campaigns"


@dataclass(frozen=True)
class DemoCampaign:
    title: str
    slug: str
    summary: str
    started_days_ago: int  # runs from midnight (Asia/Shanghai) that many days before the demo is built
    runs_days: int
    products: int  # how many of the demo's products its own list features (the first of each shop, in turn)
    intro: str  # rich text (HTML), the body's opening paragraph


CAMPAIGN = DemoCampaign(
    title="年货节·消费帮扶专场",
    slug="nianhuojie",
    summary="买年货，助增收：菏泽、枣庄、聊城的村级网店把山药、芦笋、牡丹籽油和石榴端上年夜饭桌，每一单都记到受益农户。",
    started_days_ago=10,
    runs_days=60,
    products=8,
    intro="<p>年货节期间，村级电商服务站的认定扶贫产品集中上架。"
    "下单即计入消费帮扶金额，所得按利益联结机制分到脱贫户和村集体。</p>",
)
