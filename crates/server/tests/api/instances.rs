//! Several instances on one database: the background jobs' leases (one instance runs each job, another
//! takes over when the holder dies or stops), the outbox delivered once across instances, and what a
//! load balancer asks of each instance (`/healthz`, `/readyz`, the drain on shutdown).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use support_server::AppState;
use support_server::clock;
use support_server::jobs::lease::{LeaseSettings, LeasedJob, Run, spawn_leased};
use support_server::jobs::outbox::{self, deliver_pending};
use tempfile::TempDir;
use tokio::time::Instant;

use crate::helpers::{spawn_app, test_config, test_db};
use crate::outbox::fake_smtp::{FakeSmtp, Mode};

/// Two instances (two states, each with its own pool and holder id) on one database file.
async fn two_instances(
    configure: impl Fn(&mut support_server::Config),
) -> (AppState, AppState, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    configure(&mut config);
    let a = AppState::new(config.clone()).await.unwrap();
    let b = AppState::new(config).await.unwrap();
    assert_ne!(
        a.instance, b.instance,
        "each instance has its own holder id"
    );
    (a, b, dir)
}

#[tokio::test]
async fn a_lease_is_taken_only_when_free_expired_or_already_held() {
    let (a, _b, _dir) = two_instances(|_| {}).await;
    let store = &a.store;
    assert!(
        store
            .try_take_lease("job", "one", 1_000, 2_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_take_lease("job", "two", 1_500, 2_500)
            .await
            .unwrap(),
        "held by another until 2000"
    );
    assert!(
        store
            .try_take_lease("job", "one", 1_900, 2_900)
            .await
            .unwrap(),
        "its holder renews it"
    );
    assert!(
        !store
            .try_take_lease("job", "two", 2_500, 3_500)
            .await
            .unwrap(),
        "renewed until 2900"
    );
    assert_eq!(
        store.lease("job").await.unwrap(),
        Some(("one".into(), 2_900))
    );
    assert!(
        store
            .try_take_lease("job", "two", 2_900, 3_900)
            .await
            .unwrap(),
        "expired: taken over"
    );
    assert!(
        !store
            .try_take_lease("job", "one", 3_000, 4_000)
            .await
            .unwrap()
    );
    // Only the holder gives it up.
    store.release_lease("job", "one").await.unwrap();
    assert_eq!(
        store.lease("job").await.unwrap(),
        Some(("two".into(), 3_900))
    );
    store.release_lease("job", "two").await.unwrap();
    assert_eq!(store.lease("job").await.unwrap(), None);
    assert!(
        store
            .try_take_lease("job", "one", 3_000, 4_000)
            .await
            .unwrap()
    );
    // Another job's lease is its own.
    assert!(
        store
            .try_take_lease("other", "two", 3_000, 4_000)
            .await
            .unwrap()
    );
}

/// What the jobs of a test did: which instance ran each run, and the most runs at once.
#[derive(Clone, Default)]
struct Runs {
    by: Arc<Mutex<Vec<&'static str>>>,
    running: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
}

impl Runs {
    /// A job for instance `who` that takes 50 ms and notes itself.
    fn job(
        &self,
        who: &'static str,
    ) -> impl FnMut(Run) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + 'static
    {
        let runs = self.clone();
        move |_run| {
            let runs = runs.clone();
            Box::pin(async move {
                let now = runs.running.fetch_add(1, Ordering::SeqCst) + 1;
                runs.most_at_once.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                runs.running.fetch_sub(1, Ordering::SeqCst);
                runs.by.lock().unwrap().push(who);
            })
        }
    }

    fn by(&self) -> Vec<&'static str> {
        self.by.lock().unwrap().clone()
    }

    /// Waits until `who` has run, at most `bound`; how long that took.
    async fn wait_for(&self, who: &str, bound: Duration) -> Duration {
        let started = Instant::now();
        while !self.by().contains(&who) {
            assert!(
                started.elapsed() < bound,
                "{who} never ran: {:?}",
                self.by()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        started.elapsed()
    }
}

fn settings(state: &AppState, period: Duration) -> LeaseSettings {
    LeaseSettings {
        name: "test-job",
        holder: state.instance.clone(),
        period,
        interval: Duration::from_millis(100),
    }
}

async fn start(state: &AppState, period: Duration, runs: &Runs, who: &'static str) -> LeasedJob {
    spawn_leased(state.store.clone(), settings(state, period), runs.job(who))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_instances_one_runs_a_job_and_the_other_takes_over_when_it_dies() {
    let (a, b, _dir) = two_instances(|_| {}).await;
    let period = Duration::from_millis(900);
    let runs = Runs::default();
    let job_a = start(&a, period, &runs, "a").await;
    runs.wait_for("a", Duration::from_secs(2)).await;
    let job_b = start(&b, period, &runs, "b").await;
    // Many runs of the job, renewals and attempts to take the lease by the other instance.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = runs.by();
    assert!(
        before.len() >= 5,
        "the holder runs the job every interval: {before:?}"
    );
    assert!(
        before.iter().all(|who| *who == "a"),
        "only the holder runs it: {before:?}"
    );
    assert_eq!(runs.most_at_once.load(Ordering::SeqCst), 1);
    let (holder, _) = a.store.lease("test-job").await.unwrap().unwrap();
    assert_eq!(*holder, *a.instance);

    // A crashes: no release, no renewal. B takes over once A's lease has run out, within one period
    // (plus one attempt's interval).
    job_a.abandon();
    let took = runs.wait_for("b", Duration::from_secs(5)).await;
    assert!(
        took <= period + period / 3 + Duration::from_millis(400),
        "took over in {took:?}"
    );
    let (holder, _) = b.store.lease("test-job").await.unwrap().unwrap();
    assert_eq!(*holder, *b.instance);
    let after: Vec<_> = runs.by().split_off(before.len());
    assert!(after.iter().skip(1).all(|who| *who == "b"), "{after:?}");
    assert_eq!(
        runs.most_at_once.load(Ordering::SeqCst),
        1,
        "never two runs at once"
    );

    // Stopping gives the lease up.
    job_b.stop().await;
    assert_eq!(b.store.lease("test-job").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_that_stops_gives_its_lease_up_and_the_other_instance_takes_over_at_once() {
    let (a, b, _dir) = two_instances(|_| {}).await;
    // Long, so that waiting for it to run out would fail the bound below.
    let period = Duration::from_secs(6);
    let runs = Runs::default();
    let job_a = start(&a, period, &runs, "a").await;
    runs.wait_for("a", Duration::from_secs(2)).await;
    let job_b = start(&b, period, &runs, "b").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    job_a.stop().await;
    // B tries every third of the period: it finds the lease free at its next try.
    let took = runs.wait_for("b", Duration::from_secs(5)).await;
    assert!(
        took <= period / 3 + Duration::from_millis(500),
        "took over in {took:?}"
    );
    assert!(runs.by().ends_with(&["b"]));
    job_b.stop().await;
}

/// `count` emails recorded in the outbox.
async fn enqueue(state: &AppState, count: usize) {
    let mut tx = state.store.begin_write().await.unwrap();
    for i in 0..count {
        tx.enqueue_email(
            &format!("user{i}@example.com"),
            &format!("Email {i}"),
            "Hello.",
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The Message-ID of each email the fake server received, sorted.
fn message_ids(smtp: &FakeSmtp) -> Vec<String> {
    let mut ids: Vec<String> = smtp
        .received()
        .iter()
        .map(|email| {
            email
                .data
                .lines()
                .find_map(|line| line.strip_prefix("Message-ID: "))
                .expect("every email has a Message-ID")
                .to_owned()
        })
        .collect();
    ids.sort();
    ids
}

async fn unsent(state: &AppState) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(&test_db(&state.config).await)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_delivering_at_once_send_each_email_exactly_once() {
    let (a, b, _dir) = two_instances(|_| {}).await;
    enqueue(&a, 40).await;
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let mailer = smtp.url().mailer();
    let from: lettre::message::Mailbox = "Support <support@example.com>".parse().unwrap();
    // No lease here: the outbox's row claim alone keeps two processes from sending a row twice.
    let (sent_a, sent_b) = tokio::join!(
        deliver_pending(&a.store, &mailer, &from, 100),
        deliver_pending(&b.store, &mailer, &from, 100),
    );
    let (sent_a, sent_b) = (sent_a.unwrap(), sent_b.unwrap());
    assert_eq!(sent_a.sent + sent_b.sent, 40, "{sent_a:?} {sent_b:?}");
    let ids = message_ids(&smtp);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), 40);
    assert_eq!(unique, ids, "no email twice");
    assert_eq!(unsent(&a).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_both_instances_serving_jobs_one_delivers_the_outbox_once_per_email() {
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let url = smtp.url();
    let (a, b, _dir) = two_instances(|config| {
        config.smtp_url = Some(url.clone());
        config.outbox_interval_secs = 1;
        config.lease_secs = 3;
    })
    .await;
    let jobs_a = support_server::start_jobs(&a);
    let jobs_b = support_server::start_jobs(&b);
    enqueue(&a, 30).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while unsent(&a).await > 0 {
        assert!(Instant::now() < deadline, "the outbox was not delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids = message_ids(&smtp);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(
        (ids.len(), unique.len()),
        (30, 30),
        "each email exactly once"
    );
    // Each job has one holder, the same for all three here (the first to start took them all).
    for name in ["outbox", "sweeper", "purge"] {
        let (holder, _) = a.store.lease(name).await.unwrap().expect("held");
        assert!(
            *holder == *a.instance || *holder == *b.instance,
            "{name}: {holder}"
        );
    }
    for job in jobs_a.into_iter().chain(jobs_b) {
        job.stop().await;
    }
    for name in ["outbox", "sweeper", "purge"] {
        assert_eq!(a.store.lease(name).await.unwrap(), None, "{name} given up");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_outbox_holder_sends_at_once_what_a_dead_process_left_in_flight() {
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let url = smtp.url();
    let (a, _b, _dir) = two_instances(|config| {
        config.smtp_url = Some(url.clone());
        config.lease_secs = 3;
    })
    .await;
    enqueue(&a, 1).await;
    // A process claimed the email (for ten minutes) and died before it recorded the outcome.
    let now = clock::now();
    let claimed = a
        .store
        .claim_due_email(
            clock::timestamp(now),
            clock::timestamp(now + Duration::from_secs(600)),
            outbox::MAX_ATTEMPTS,
            "dead-host:1",
        )
        .await
        .unwrap();
    assert!(claimed.is_some());

    let jobs = support_server::start_jobs(&a);
    let deadline = Instant::now() + Duration::from_secs(5);
    while smtp.received().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the email in flight waits out its claim"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for job in jobs {
        job.stop().await;
    }
    let (attempts, claimed_by): (i64, Option<String>) =
        sqlx::query_as("SELECT attempts, claimed_by FROM outbox")
            .fetch_one(&test_db(&a.config).await)
            .await
            .unwrap();
    assert_eq!((attempts, claimed_by), (2, None));
    assert_eq!(unsent(&a).await, 0);
}

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_session_or_the_csrf_header() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for (path, text) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()["cache-control"].to_str().unwrap(),
            "no-store"
        );
        assert_eq!(response.text().await.unwrap(), text);
    }

    // A migration this binary brings is missing: not ready, still alive.
    sqlx::query("UPDATE _sqlx_migrations SET success = FALSE WHERE version = 12")
        .execute(app.db())
        .await
        .unwrap();
    let response = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.text().await.unwrap(), "migrations pending");
    let response = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    sqlx::query("UPDATE _sqlx_migrations SET success = TRUE WHERE version = 12")
        .execute(app.db())
        .await
        .unwrap();

    // The database is gone.
    app.state.store.close().await;
    let response = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.text().await.unwrap(), "database unavailable");
    let response = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_shutdown_readyz_fails_at_once_while_requests_are_served_until_the_drain_ends() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let address = listener.local_addr().unwrap();
    let state = AppState::new(config.clone()).await.unwrap();
    let drain = Duration::from_millis(1500);
    let (signal, signalled) = tokio::sync::oneshot::channel::<()>();
    let shutdown = support_server::drain_after(
        async {
            let _ = signalled.await;
        },
        state.readiness.clone(),
        drain,
    );
    let server = tokio::spawn({
        let state = state.clone();
        async move {
            support_server::serve_on(listener, support_server::app(state), &config, shutdown).await
        }
    });
    // A new connection per request, as a balancer's probes and new clients make.
    let client = || {
        reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    };
    let get = |path: &'static str| async move {
        client().get(format!("http://{address}{path}")).send().await
    };
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);

    let signalled_at = Instant::now();
    signal.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text().await.unwrap(), "draining");
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    // New requests are still served while the balancer catches up.
    let support = get("/api/v1/me").await.unwrap();
    assert_eq!(
        support.status(),
        StatusCode::UNAUTHORIZED,
        "served by the API"
    );
    assert!(signalled_at.elapsed() < drain);

    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops after the drain")
        .unwrap()
        .unwrap();
    assert!(
        signalled_at.elapsed() >= drain,
        "stopped before the drain ended"
    );
    assert!(get("/healthz").await.is_err(), "no longer accepting");
}
