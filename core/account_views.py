"""The buyers' account pages (``/accounts/…``): sign in by password or SMS code, register,
reset the password, sign out, and 获取验证码.

Each code page works without JavaScript: its 获取验证码 button submits the page's form with
``action=send``, and the page comes back with the number kept and a note that the code
was sent. With JavaScript (``accounts/sms-code.js``) the button posts to ``send_code``
instead and counts down on the page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import accounts, parsing, verification
from .account_forms import PasswordResetForm, RegisterForm, SendCodeForm, SignInForm, SmsSignInForm
from .errors import DomainError
from .login_throttle import locked_out
from .verification import Purpose, SendRefused


def _next(request) -> str:
    """Where to go on: ``next`` when it is a path of this site other than this page, else home."""
    raw = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    target = parsing.safe_redirect(request, raw, "/")
    return "/" if urlsplit(target).path == request.path else target


def masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


class PasswordSignInView(LoginView):
    """Sign in with a mobile number (or a username) and password; axes throttles it."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = "/"

    def get_redirect_url(self):
        """``next``, unless it is this page (Django refuses that loop with an exception)."""
        url = super().get_redirect_url()
        return "" if url and urlsplit(url).path == self.request.path else url


def _send(request, mobile: str, purpose: str) -> tuple[str, int, bool]:
    """Send a code: (what to tell the person, seconds before the next, refused)."""
    try:
        accounts.may_send(mobile, purpose)
        wait = verification.send_code(request, mobile, purpose)
    except SendRefused as exc:
        return str(exc), exc.wait, True
    except DomainError as exc:
        return str(exc), 0, True
    message = gettext("验证码已发送至 %(mobile)s，%(minutes)s 分钟内有效。") % {
        "mobile": masked(mobile),
        "minutes": _valid_minutes(),
    }
    return message, wait, False


def _valid_minutes() -> int:
    return settings.SMS_CODE_VALID_MINUTES


@require_POST
def send_code(request):
    """获取验证码 from the page's script: JSON ``{message, wait}`` (200 sent, 400 a bad
    number or purpose or a number the purpose does not fit, 429 a send limit)."""
    form = SendCodeForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return JsonResponse({"error": first, "wait": 0}, status=400)
    message, wait, refused = _send(request, form.cleaned_data["mobile"], form.cleaned_data["purpose"])
    if refused:
        return JsonResponse({"error": message, "wait": wait}, status=429 if wait else 400)
    return JsonResponse({"message": message, "wait": wait})


def _code_page(request, *, form_class, purpose: str, template: str, act):
    """One page with a code: 获取验证码 without script (``action=send``), or the form's
    submit, which ``act(form.cleaned_data)`` carries out (``DomainError`` for the form)."""
    status = {"text": "", "error": False, "wait": 0}
    if request.method == "POST" and request.POST.get("action") == "send":
        send_form = SendCodeForm({"mobile": request.POST.get("mobile", ""), "purpose": purpose})
        form = form_class(initial={"mobile": request.POST.get("mobile", "")[:40]})
        if send_form.is_valid():
            mobile = send_form.cleaned_data["mobile"]
            form = form_class(initial={"mobile": mobile})
            text, wait, refused = _send(request, mobile, purpose)
            status = {"text": text, "error": refused, "wait": wait}
        else:
            status = {"text": send_form.errors["mobile"][0], "error": True, "wait": 0}
    elif request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            if not accounts.code_allowed(request, form.cleaned_data["mobile"]):
                return locked_out(request)
            try:
                act(form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(_next(request))
    else:
        form = form_class()
    context = {"form": form, "purpose": purpose, "status": status, "next": request.GET.get("next", "")}
    if request.method == "POST":
        context["next"] = request.POST.get("next", "")
    return render(request, template, context)


def sign_in_by_code(request):
    if request.user.is_authenticated:
        return redirect(_next(request))

    def act(data):
        accounts.sign_in_by_code(request, mobile=data["mobile"], code=data["code"])
        messages.success(request, gettext("已登录。"))

    return _code_page(
        request, form_class=SmsSignInForm, purpose=Purpose.LOGIN, template="accounts/login_sms.html", act=act
    )


def register(request):
    if request.user.is_authenticated:
        return redirect(_next(request))

    def act(data):
        accounts.register(
            request,
            mobile=data["mobile"],
            code=data["code"],
            password=data["password1"],
            name=data.get("name") or "",
            email=data.get("email") or "",
        )
        messages.success(request, gettext("注册成功，已为您登录。购物车里的商品已保留。"))

    return _code_page(
        request, form_class=RegisterForm, purpose=Purpose.REGISTER, template="accounts/register.html", act=act
    )


def reset_password(request):
    def act(data):
        accounts.reset_password(request, mobile=data["mobile"], code=data["code"], password=data["password1"])
        messages.success(request, gettext("密码已重设，已为您登录。"))

    return _code_page(
        request, form_class=PasswordResetForm, purpose=Purpose.RESET, template="accounts/password_reset.html", act=act
    )


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, gettext("已退出登录。"))
    return redirect(_next(request))
