//! Component tests in headless Chromium (wasm-bindgen-test): real DOM, real events, no server.
#![cfg(target_arch = "wasm32")]

use api::{
    Links, PlanKind, PriceRule, ResponseTime, ResponseTimes, Role, SupportStatus, SupportTier,
};
use leptos::prelude::*;
use leptos::task::tick;
use support_console::api::{ApiClient, ClientError};
use support_console::components::ErrorPanel;
use support_console::pages::{SignIn, SupportContent};
use support_console::router::Router;
use support_console::session::Session;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el = document
        .create_element("div")
        .unwrap()
        .unchecked_into::<HtmlElement>();
    document.body().unwrap().append_child(&el).unwrap();
    el
}

fn button(root: &HtmlElement, text: &str) -> HtmlElement {
    let buttons = root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>())
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| panic!("no button {text:?}"))
}

/// Waits for the next animation frame, when focus moves happen.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn error_panel_explains_the_failure_and_retries() {
    let root = container();
    let retries = RwSignal::new(0);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <ErrorPanel error=ClientError::Network retry=Callback::new(move |_| retries.update(|n| *n += 1)) /> }
    });
    let text = root.text_content().unwrap();
    assert!(text.contains("We could not reach the server"), "{text}");
    assert!(root.query_selector("[role=alert]").unwrap().is_some());

    button(&root, "Try again").click();
    tick().await;
    assert_eq!(retries.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn empty_sign_in_lists_both_fields_and_focuses_the_summary() {
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        let session = Session::new();
        provide_context(session);
        provide_context(ApiClient::new(
            "http://127.0.0.1:9",
            Callback::new(move |()| session.expire()),
        ));
        view! { <SignIn /> }
    });
    let summary = root
        .query_selector(".sa-error-summary")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>();
    assert!(summary.hidden(), "no summary before the first submit");

    button(&root, "Sign in").click();
    tick().await;
    next_frame().await;

    assert!(!summary.hidden());
    let text = summary.text_content().unwrap();
    assert!(text.contains("Email: enter an email address."), "{text}");
    assert!(text.contains("Password: enter your password."), "{text}");
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert_eq!(active, summary.unchecked_into::<web_sys::Element>());
    let email = root.query_selector("#signin-email").unwrap().unwrap();
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        email.get_attribute("aria-describedby").as_deref(),
        Some("signin-email-error")
    );
}

fn tier(key: &str, name: &str, rank: u32, critical: u32) -> SupportTier {
    SupportTier {
        key: key.into(),
        name: name.into(),
        rank,
        summary: format!("{name} summary"),
        response_times: ResponseTimes {
            low: ResponseTime::BusinessDays(1),
            high: ResponseTime::BusinessDays(1),
            critical: ResponseTime::Minutes(critical),
        },
        hours: "24/7".into(),
        phone: "No".into(),
        account_team: "No".into(),
        price: PriceRule::Included,
    }
}

fn status(plan: PlanKind, current: Option<SupportTier>) -> SupportStatus {
    SupportStatus {
        brand: "Acme Cloud".into(),
        organization: "Org".into(),
        plan,
        current_tier: current,
        tiers: vec![
            tier("basic", "Basic", 0, 1440),
            tier("premium", "Premium", 1, 15),
        ],
        upgrade_request: None,
        can_upgrade: true,
        admins: vec!["boss@org.example".into()],
        account_team_email: None,
        links: Links {
            sla: "https://sla.example/sla".into(),
            forum: "https://forum.example".into(),
            support_services: "https://example.com/support".into(),
            sales_email: "sales@example.com".into(),
        },
    }
}

fn render(status: SupportStatus, role: Role) -> HtmlElement {
    let root = container();
    leptos::mount::mount_to(root.clone(), move || {
        // The standalone app's base: links are written under it.
        provide_context(support_console::AppConfig {
            base: "/support".into(),
            ..Default::default()
        });
        view! {
            <Router base="/support">
                <SupportContent status=status.clone() role=role />
            </Router>
        }
    })
    .forget();
    root
}

#[wasm_bindgen_test]
fn members_are_told_whom_to_ask_and_get_no_upgrade_control() {
    let root = render(
        status(PlanKind::Paid, Some(tier("basic", "Basic", 0, 1440))),
        Role::Member,
    );
    let text = root.text_content().unwrap();
    assert!(
        text.contains("Only organization admins can upgrade the support tier"),
        "{text}"
    );
    assert!(text.contains("boss@org.example"));
    assert!(!text.contains("Upgrade to Enterprise"));
    // The brand comes from the server's configuration, not from code.
    assert!(text.contains("Go to Acme Cloud Support Center"), "{text}");
}

#[wasm_bindgen_test]
fn admins_get_the_upgrade_link_and_free_plans_get_the_forum() {
    let root = render(
        status(PlanKind::Paid, Some(tier("basic", "Basic", 0, 1440))),
        Role::Admin,
    );
    let link = root.query_selector("a[href='/support/upgrade']").unwrap();
    assert_eq!(
        link.and_then(|l| l.text_content()).as_deref(),
        Some("Upgrade to Enterprise")
    );

    let free = render(status(PlanKind::Free, None), Role::Admin);
    let text = free.text_content().unwrap();
    assert!(text.contains("Acme Cloud Community Forum"), "{text}");
    assert!(!text.contains("Upgrade to Enterprise"));
    assert!(
        !text.contains("Support Center"),
        "free plans go to the forum, not the Support Center"
    );
}

#[wasm_bindgen_test]
fn the_account_team_is_named_only_when_there_is_one_otherwise_the_sales_team() {
    let premium = tier("premium", "Premium", 1, 15);
    // Basic: no account team, so questions go to sales.
    let root = render(
        status(PlanKind::Paid, Some(tier("basic", "Basic", 0, 1440))),
        Role::Admin,
    );
    let text = root.text_content().unwrap();
    assert!(
        text.contains(
            "want to downgrade your support tier, contact the sales team at sales@example.com."
        ),
        "{text}"
    );
    assert!(!text.contains("account team at"), "{text}");

    // A tier with an account team: its address, under its name.
    let mut with_team = status(PlanKind::Paid, Some(premium));
    with_team.account_team_email = Some("team@org.example".into());
    let root = render(with_team, Role::Admin);
    let text = root.text_content().unwrap();
    assert!(
        text.contains("contact your account team at team@org.example."),
        "{text}"
    );
    let mail = root
        .query_selector("a[href='mailto:team@org.example']")
        .unwrap();
    assert!(mail.is_some(), "the account team's address is a mail link");
}

/// Mounts a CC field for `dev@acme.example` and returns the root, the field and its last message.
fn cc_field() -> (
    HtmlElement,
    support_console::components::form::CcField,
    Signal<Option<String>>,
) {
    use support_console::components::form::{CcCheck, CcField, CcForm, CcInput, FieldErrors};
    let root = container();
    let check = CcCheck {
        own: "dev@acme.example".into(),
        ..Default::default()
    };
    let field = CcField::new(Vec::new(), String::new(), check, |check, list, token| {
        api::ticket::check_cc_address(list, token, &check.own)
    });
    let errors = FieldErrors::new("test", &[api::Field::Cc]);
    let mount_root = root.clone();
    leptos::mount::mount_to(mount_root, move || {
        view! { <CcInput errors=errors field=field form=CcForm::Comment replies_by_email=false /> }
    })
    .forget();
    (root, field, errors.message(api::Field::Cc))
}

#[wasm_bindgen_test]
async fn both_forms_cc_hints_promise_replies_by_email_only_while_the_server_offers_them() {
    use support_console::components::form::{CcCheck, CcField, CcForm, CcInput, FieldErrors};
    for (form, lead) in [
        (
            CcForm::NewTicket,
            "All new comments and updates will be sent to these emails.",
        ),
        (
            CcForm::Comment,
            "Add the email addresses separated by a space.",
        ),
    ] {
        let root = container();
        let field = CcField::new(
            Vec::new(),
            String::new(),
            CcCheck::default(),
            |_, _, token| api::Email::parse(token),
        );
        let errors = FieldErrors::new("test", &[api::Field::Cc]);
        let replies_by_email = RwSignal::new(false);
        leptos::mount::mount_to(root.clone(), move || {
            view! { <CcInput errors=errors field=field form=form replies_by_email=replies_by_email /> }
        })
        .forget();
        tick().await;
        let text = || root.text_content().unwrap_or_default();
        assert!(text().contains(lead), "{form:?}: {}", text());
        assert!(text().contains("get the emails."), "{form:?}: {}", text());
        assert!(!text().contains("reply to it"), "{form:?}: {}", text());

        // The answer that says the server has a reply domain may come after the form is shown.
        replies_by_email.set(true);
        tick().await;
        assert!(
            text().contains("get email and can reply to it to comment and CC more people."),
            "{form:?}: {}",
            text()
        );
        assert!(text().contains(lead), "{form:?}: {}", text());
    }
}

fn type_into(input: &web_sys::HtmlInputElement, text: &str) {
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn cc_addresses_become_chips_as_they_are_completed_and_bad_ones_stay_in_the_box() {
    let (root, field, message) = cc_field();
    tick().await;
    let input: web_sys::HtmlInputElement = root
        .query_selector("#test-cc")
        .unwrap()
        .unwrap()
        .unchecked_into();

    // The last word is still being typed: nothing moves yet.
    type_into(&input, "Ops@Acme.Example, lead@acme");
    tick().await;
    assert_eq!(field.emails.get_untracked(), ["ops@acme.example"]);
    assert_eq!(input.value(), "lead@acme");

    // A separator completes it; a bad address stays, with its separator, and says why.
    type_into(&input, "lead@acme.example not-an-email ");
    tick().await;
    assert_eq!(
        field.emails.get_untracked(),
        ["ops@acme.example", "lead@acme.example"]
    );
    assert_eq!(input.value(), "not-an-email ");
    let said = message.get_untracked().unwrap_or_default();
    assert!(
        said.starts_with("CC: \u{201c}not-an-email\u{201d}"),
        "{said}"
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));

    // Chips are listed and can be removed with their button.
    let chips = root.query_selector_all(".sa-chip").unwrap();
    assert_eq!(chips.length(), 2);
    button(&root, "\u{d7}").click();
    tick().await;
    assert_eq!(field.emails.get_untracked(), ["lead@acme.example"]);

    // The submitter's own address is refused on blur.
    type_into(&input, "dev@acme.example");
    input
        .dispatch_event(&web_sys::Event::new("blur").unwrap())
        .unwrap();
    tick().await;
    assert!(
        message
            .get_untracked()
            .unwrap_or_default()
            .contains("is your own address")
    );
    assert_eq!(field.emails.get_untracked(), ["lead@acme.example"]);
}

/// The options object of `mount`: the router's base is exactly the console's Support page (so the
/// router leaves the console's other links alone), standalone `/support`, and a `token` key (even
/// `null`) means token mode.
#[wasm_bindgen_test]
fn mount_options_read_the_object_the_host_passes() {
    use support_console::embed::MountOptions;
    let object = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), &value).unwrap();
    };
    set("base", JsValue::from_str("/org/acme/support/"));
    set("apiBase", JsValue::from_str("https://api.example"));
    set("brand", JsValue::from_str("Acme"));
    set(
        "stylesheet",
        JsValue::from_str("https://support.example/main-1.css"),
    );
    set("token", JsValue::NULL);
    let options = MountOptions::from_js(&object);
    assert_eq!(options.token, Some(None));
    assert_eq!(
        options.stylesheet.as_deref(),
        Some("https://support.example/main-1.css")
    );
    let config = options.config();
    assert_eq!(config.base, "/org/acme/support");
    assert_eq!(config.api_base, "https://api.example");
    assert_eq!(config.brand.as_deref(), Some("Acme"));
    assert!(!config.standalone && !config.manage_title);

    let standalone = MountOptions::from_js(&JsValue::UNDEFINED);
    assert_eq!(standalone.token, None, "no token key: cookie mode");
    assert_eq!(standalone.config().base, "/support");
    set("base", JsValue::from_str("/console"));
    set("standalone", JsValue::TRUE);
    let other = MountOptions::from_js(&object).config();
    assert_eq!(
        other.base, "/console",
        "the base is the Support page, whatever its name"
    );
    assert!(other.manage_title);
}

/// A request waiting for a token goes on once the host sets a new one, asking the host exactly once
/// however many requests wait; an unmount lets waiting requests give up.
#[wasm_bindgen_test]
async fn token_waits_end_with_the_next_token_or_the_unmount() {
    use std::cell::Cell;
    use std::rc::Rc;
    use support_console::api::Auth;

    let auth = Auth::token(Some("old".into()));
    let asked = Rc::new(Cell::new(0));
    auth.connect(
        {
            let asked = asked.clone();
            Rc::new(move || asked.set(asked.get() + 1))
        },
        Rc::new(|| {}),
    );
    let second = Rc::new(Cell::new(None));
    wasm_bindgen_futures::spawn_local({
        let (auth, second) = (auth.clone(), second.clone());
        async move { second.set(Some(auth.new_token_since(Some("old")).await)) }
    });
    let setter = auth.clone();
    wasm_bindgen_futures::spawn_local(async move {
        next_frame().await;
        setter.set(Some("new".into()));
    });
    assert!(auth.new_token_since(Some("old")).await);
    next_frame().await;
    assert_eq!(second.get(), Some(true));
    assert_eq!(asked.get(), 1, "one event for both requests");
    assert_eq!(auth.current().as_deref(), Some("new"));
    // A token that changed while the request was out: retry at once, no event.
    assert!(auth.new_token_since(Some("old")).await);
    assert_eq!(asked.get(), 1);

    let closer = auth.clone();
    wasm_bindgen_futures::spawn_local(async move {
        next_frame().await;
        closer.close();
    });
    assert!(
        !auth.new_token_since(Some("new")).await,
        "unmounted: give up"
    );
}

/// A `KeyboardEvent` of `kind` for `key`, made through the browser's constructor.
fn key_event(kind: &str, key: &str) -> web_sys::Event {
    let window = web_sys::window().unwrap();
    let ctor: js_sys::Function = js_sys::Reflect::get(&window, &"KeyboardEvent".into())
        .unwrap()
        .unchecked_into();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"key".into(), &key.into()).unwrap();
    js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&kind.into(), &init))
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn a_time_reads_in_the_one_format_and_gives_the_exact_time_on_focus() {
    use support_console::components::{exact_time, local_date_time, time_view};
    let at = api::Timestamp::from_unix_seconds(1_796_000_000);
    let later = api::Timestamp::from_unix_seconds(1_796_000_060);
    let root = container();
    leptos::mount::mount_to(
        root.clone(),
        move || view! { {time_view(at)} {time_view(later)} },
    )
    .forget();
    let time: HtmlElement = root
        .query_selector("time")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(time.get_attribute("datetime"), Some(at.to_string()));
    assert_eq!(time.text_content().unwrap(), local_date_time(at));
    // The browser's formatter, in its locale and time zone: the same text Intl gives for these styles.
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into()).unwrap();
    js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).unwrap();
    let date = js_sys::Date::new(&JsValue::from_f64(1_796_000_000_000.0));
    let expected: String = date.to_locale_string("default", &options).into();
    assert_eq!(local_date_time(at), expected);
    assert_ne!(
        exact_time(at),
        local_date_time(at),
        "the exact time says more"
    );

    // Keyboard-focusable, described by the exact time, which is a tooltip.
    assert_eq!(time.tab_index(), 0);
    let tip_id = time.get_attribute("aria-describedby").expect("described");
    let tip = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .get_element_by_id(&tip_id)
        .expect("the description exists");
    assert_eq!(tip.get_attribute("role").as_deref(), Some("tooltip"));
    // The exact time is written after the page has drawn (a task of its own), or at once when the time
    // is focused or hovered before that.
    assert_eq!(tip.text_content().unwrap(), "", "not written with the page");
    // As the browser sends it: bubbling (the listener is the document's).
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    time.dispatch_event(&web_sys::CustomEvent::new_with_event_init_dict("focusin", &init).unwrap())
        .unwrap();
    tick().await;
    assert_eq!(tip.text_content().unwrap(), exact_time(at));
    let other = root.query_selector_all(".sa-time-exact").unwrap();
    let other: web_sys::Element = other.item(1).unwrap().unchecked_into();
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    assert_eq!(
        other.text_content().unwrap(),
        exact_time(later),
        "written in a later task without focus"
    );

    // Escape dismisses the tooltip; leaving the time brings it back for the next visit.
    let wrapper = time.parent_element().unwrap();
    time.dispatch_event(&key_event("keydown", "Escape"))
        .unwrap();
    tick().await;
    assert!(wrapper.class_list().contains("sa-time-dismissed"));
    time.dispatch_event(&web_sys::Event::new("blur").unwrap())
        .unwrap();
    tick().await;
    assert!(!wrapper.class_list().contains("sa-time-dismissed"));
}
