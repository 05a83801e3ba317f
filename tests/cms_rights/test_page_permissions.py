"""Who edits what in the page tree, through the Wagtail admin over HTTP: a bureau's officers
edit their region's pavilion and the pavilions under it, and nothing else; operators have no
page access; platform administrators edit and publish everything."""

from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page, Workflow, WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import PavilionPage
from cms.rights import PAVILION_TASK_NAME, PAVILION_WORKFLOW_NAME, ensure_pavilion_workflow
from core.bureau_groups import group_name
from core.models import Bureau


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def pavilion_form(page, **overrides) -> dict:
    """The edit form of a pavilion as the admin posts it (save draft unless an action is added)."""
    data = {
        "title": page.title,
        "slug": page.slug,
        "region": page.region_id,
        "intro": rich_text(page.intro or "<p></p>"),
        "banner": "",
        "body": streamfield([]),
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def refused(response) -> bool:
    """Wagtail's answer to a page a user may not touch: back to the dashboard (302 to
    /admin/) with its permission message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def latest_title(page) -> str:
    return Page.objects.get(pk=page.pk).get_latest_revision_as_object().title


def test_county_officer_edits_own_pavilion_saves_a_draft_and_submits_it(tree, login):
    client = login(tree.world.officer_a)
    assert client.get(edit_url(tree.county_a)).status_code == 200

    response = client.post(edit_url(tree.county_a), pavilion_form(tree.county_a, title="单县馆（草稿）"))
    assert response.status_code == 302, response.content[:2000]
    page = PavilionPage.objects.get(pk=tree.county_a.pk)
    assert (page.title, page.has_unpublished_changes, latest_title(page)) == ("单县馆", True, "单县馆（草稿）")

    response = client.post(
        edit_url(tree.county_a), pavilion_form(tree.county_a, title="单县馆（待审）") | {"action-submit": "1"}
    )
    assert response.status_code == 302
    page = PavilionPage.objects.get(pk=tree.county_a.pk)
    state = page.current_workflow_state
    assert (state.workflow.name, state.current_task_state.task.name) == (PAVILION_WORKFLOW_NAME, PAVILION_TASK_NAME)
    assert (page.title, page.live, latest_title(page)) == ("单县馆", True, "单县馆（待审）")


def test_county_officer_cannot_publish_own_pavilion(tree, login):
    client = login(tree.world.officer_a)
    client.post(edit_url(tree.county_a), pavilion_form(tree.county_a, title="直接发布？") | {"action-publish": "1"})
    page = PavilionPage.objects.get(pk=tree.county_a.pk)
    assert page.title == "单县馆"  # kept as a draft, never published
    assert latest_title(page) == "直接发布？"


def test_county_officer_cannot_change_the_region_of_their_pavilion(tree, login):
    client = login(tree.world.officer_a)
    form = pavilion_form(tree.county_a, region=tree.world.county_b.pk)
    assert client.post(edit_url(tree.county_a), form).status_code == 302
    assert Page.objects.get(pk=tree.county_a.pk).get_latest_revision_as_object().region_id == tree.world.county_a.pk


def test_county_officer_is_refused_everything_else(tree, login):
    client = login(tree.world.officer_a)
    for page in (tree.other_city, tree.city, tree.home, tree.story):
        assert refused(client.get(edit_url(page))), page.title
    # Nothing saved through a refused edit either.
    client.post(edit_url(tree.other_city), pavilion_form(tree.other_city, title="改了别人的馆"))
    assert latest_title(tree.other_city) == "枣庄馆"
    # No page may be added, under the home page or under their own pavilion.
    home_add = reverse("wagtailadmin_pages:add", args=["cms", "campaignindexpage", tree.home.pk])
    assert refused(client.get(home_add))
    own_add = reverse("wagtailadmin_pages:add", args=["cms", "pavilionpage", tree.county_a.pk])
    assert refused(client.get(own_add))
    assert refused(client.get(reverse("wagtailadmin_pages:add_subpage", args=[tree.home.pk])))


def test_city_officer_edits_the_city_and_its_counties_not_another_city(tree, login):
    client = login(tree.world.officer_city)
    assert client.get(edit_url(tree.city)).status_code == 200
    assert client.get(edit_url(tree.county_a)).status_code == 200
    assert refused(client.get(edit_url(tree.other_city)))
    assert refused(client.get(edit_url(tree.home)))
    # Another county's officer (成武县 has no pavilion) edits nothing.
    other = login(tree.world.officer_b)
    assert refused(other.get(edit_url(tree.county_a)))


def test_operator_has_no_page_access(tree, login):
    client = login(tree.world.operator_a)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert refused(client.get(reverse("wagtailadmin_explore_root")))
    assert refused(client.get(reverse("wagtailadmin_explore", args=[tree.county_a.pk])))
    for page in (tree.county_a, tree.home):
        assert refused(client.get(edit_url(page)))


def test_buyer_gets_no_admin(tree, client):
    client.force_login(tree.world.buyer)
    response = client.get(edit_url(tree.county_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def test_platform_admin_publishes_any_page(tree, login):
    admin = tree.world.admin
    assert not admin.is_superuser
    client = login(admin)
    for page in (tree.other_city, tree.county_a):
        response = client.post(edit_url(page), pavilion_form(page, title=f"{page.title}·新") | {"action-publish": "1"})
        assert response.status_code == 302
        assert PavilionPage.objects.get(pk=page.pk).title == f"{page.title}·新"
    assert client.get(edit_url(tree.home)).status_code == 200
    home_add = reverse("wagtailadmin_pages:add", args=["cms", "campaignindexpage", tree.home.pk])
    assert client.get(home_add).status_code == 200
    # The platform administrator may move a pavilion to another region.
    response = client.post(
        edit_url(tree.county_a),
        pavilion_form(tree.county_a, title="成武县馆", region=tree.world.county_b.pk) | {"action-publish": "1"},
    )
    assert response.status_code == 302
    assert PavilionPage.objects.get(pk=tree.county_a.pk).region_id == tree.world.county_b.pk


def test_submitted_pavilion_is_published_when_a_platform_admin_approves(tree, login):
    officer = login(tree.world.officer_a)
    officer.post(edit_url(tree.county_a), pavilion_form(tree.county_a, title="单县馆·春季") | {"action-submit": "1"})
    page = PavilionPage.objects.get(pk=tree.county_a.pk)
    task_state = page.current_workflow_task_state
    approve = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    # The officer may not approve their own submission.
    officer.post(approve, {"comment": ""})
    assert PavilionPage.objects.get(pk=page.pk).title == "单县馆"

    client = login(tree.world.admin)
    assert client.post(approve, {"comment": "同意"}).status_code == 302
    page = PavilionPage.objects.get(pk=tree.county_a.pk)
    assert (page.title, page.live, page.has_unpublished_changes) == ("单县馆·春季", True, False)
    assert page.current_workflow_state is None
    assert page.workflow_states.get().status == "approved"


def test_pages_outside_the_pavilions_have_no_workflow(tree):
    assert tree.county_a.get_workflow().name == PAVILION_WORKFLOW_NAME
    assert tree.home.get_workflow() is None
    assert tree.story.get_workflow() is None


def test_workflow_setup_is_idempotent(tree):
    ensure_pavilion_workflow()
    ensure_pavilion_workflow()
    workflow = Workflow.objects.get(name=PAVILION_WORKFLOW_NAME)
    assert list(WorkflowPage.objects.filter(workflow=workflow).values_list("page_id", flat=True)) == [tree.index.pk]
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["platform_admin"]


# --- groups follow bureaus and officers ------------------------------------------------------------------------------


def page_rights(group) -> set[tuple[str, str]]:
    return set(GroupPagePermission.objects.filter(group=group).values_list("page__title", "permission__codename"))


def test_each_bureau_has_its_group_with_its_officers(tree):
    w = tree.world
    bureau_a = w.officer_a.bureau
    group = bureau_a.page_editors
    assert group.name == "单县商务局 页面编辑"
    assert list(group.user_set.all()) == [w.officer_a]
    assert page_rights(group) == {("单县馆", "change_page")}
    assert page_rights(w.officer_city.bureau.page_editors) == {("菏泽馆", "change_page")}
    assert page_rights(w.officer_b.bureau.page_editors) == set()  # 成武县 has no pavilion yet


def test_new_bureau_through_the_admin_gets_its_group_then_the_pavilion(tree, login):
    w = tree.world
    client = login(w.admin)
    response = client.post(
        reverse("bureaus:add"), {"name": "成武县乡村振兴局", "kind": "rural", "region": w.county_b.pk}
    )
    assert response.status_code == 302
    bureau = Bureau.objects.get(name="成武县乡村振兴局")
    group = Group.objects.get(name="成武县乡村振兴局 页面编辑")
    assert bureau.page_editors == group and page_rights(group) == set()

    # An officer of it, made in the admin's user form, joins the group.
    officer_group = Group.objects.get(name="bureau_officer")
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "officer_cw",
            "email": "officer_cw@example.cn",
            "name": "张小文",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
            "phone": "",
            "mobile": "",
            "bureau": bureau.pk,
            "groups": [officer_group.pk],
        },
    )
    assert response.status_code == 302
    officer = w.officer_a.__class__.objects.get(username="officer_cw")
    assert set(officer.groups.values_list("name", flat=True)) == {"bureau_officer", "成武县乡村振兴局 页面编辑"}
    assert refused(login(officer).get(edit_url(tree.city)))

    # The pavilion of its region is made: the group may edit it (and the county's other bureau too).
    client = login(w.admin)
    add = reverse("wagtailadmin_pages:add", args=["cms", "pavilionpage", tree.city.pk])
    page = PavilionPage(title="成武县馆", slug="chengwu", region=w.county_b)
    response = client.post(add, pavilion_form(page) | {"action-publish": "1"})
    assert response.status_code == 302
    pavilion = PavilionPage.objects.get(slug="chengwu")
    assert page_rights(group) == {("成武县馆", "change_page")}
    assert page_rights(w.officer_b.bureau.page_editors) == {("成武县馆", "change_page")}
    assert login(officer).get(edit_url(pavilion)).status_code == 200

    # Renamed, the group follows.
    client = login(w.admin)
    edit = reverse("bureaus:edit", args=[bureau.pk])
    assert (
        client.post(edit, {"name": "成武县商务和投资促进局", "kind": "commerce", "region": w.county_b.pk}).status_code
        == 302
    )
    group.refresh_from_db()
    assert group.name == "成武县商务和投资促进局 页面编辑"
    assert group.name == group_name(Bureau.objects.get(pk=bureau.pk))


def test_changing_an_officers_bureau_moves_them_between_groups(tree, login):
    w = tree.world
    officer = w.officer_a
    bureau_a, bureau_b = officer.bureau, w.officer_b.bureau
    client = login(w.admin)
    edit = reverse("wagtailusers_users:edit", args=[officer.pk])
    form = {
        "username": officer.username,
        "email": officer.email,
        "name": "高建民",
        "phone": "",
        "mobile": "",
        "bureau": bureau_b.pk,
        "groups": [Group.objects.get(name="bureau_officer").pk],
        "is_active": "on",
        "password1": "",
        "password2": "",
    }
    assert client.post(edit, form).status_code == 302
    assert list(bureau_a.page_editors.user_set.all()) == []
    assert set(bureau_b.page_editors.user_set.all()) == {officer, w.officer_b}
    assert refused(login(officer).get(edit_url(tree.county_a)))

    # Back to 单县 in code: the groups follow a plain save too.
    officer.refresh_from_db()
    officer.bureau = bureau_a
    officer.save()
    assert list(bureau_a.page_editors.user_set.all()) == [officer]
    assert login(officer).get(edit_url(tree.county_a)).status_code == 200

    # No longer an officer (role taken away): out of the group, no page access.
    officer.groups.remove(Group.objects.get(name="bureau_officer"))
    assert list(bureau_a.page_editors.user_set.all()) == []
    assert not officer.groups.exists()


def test_a_pavilion_moved_to_another_region_changes_hands(tree):
    w = tree.world
    page = PavilionPage.objects.get(pk=tree.county_a.pk)
    page.region = w.county_b
    page.save()
    assert page_rights(w.officer_a.bureau.page_editors) == set()
    assert page_rights(w.officer_b.bureau.page_editors) == {("单县馆", "change_page")}


def test_platform_admin_group_holds_every_page_permission_on_the_root(tree):
    group = Group.objects.get(name="platform_admin")
    root = Page.get_first_root_node()
    assert set(GroupPagePermission.objects.filter(group=group).values_list("page", "permission__codename")) == {
        (root.pk, codename)
        for codename in ("add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page")
    }
    for role in ("shop_operator", "bureau_officer", "buyer"):
        assert not GroupPagePermission.objects.filter(group__name=role).exists()


def test_officer_uploads_and_chooses_banner_pictures_operator_too_buyer_not(tree, login, client):
    for user in (tree.world.officer_a, tree.world.operator_a):
        c = login(user)
        assert c.get(reverse("wagtailimages:add")).status_code == 200
        assert c.get(reverse("wagtailimages_chooser:choose")).status_code == 200
    client.force_login(tree.world.buyer)
    response = client.get(reverse("wagtailimages:add"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
