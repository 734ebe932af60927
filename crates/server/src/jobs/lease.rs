//! One instance at a time runs each background job, by a lease in the database (`store::leases`), so
//! several server instances can share one database.
//!
//! Every instance runs a keeper task per job ([`spawn_leased`]). Every third of the lease period it
//! tries to take or renew the job's lease (one conditional upsert: it succeeds only when the lease is
//! free, expired or already this instance's). The holder runs the job at once and then every interval,
//! renewing as it goes; the others keep trying, so when the holder dies its lease runs out and another
//! instance takes over within one period (and runs the job at once). On shutdown the holder lets the
//! running job finish (a few seconds at most) and deletes its lease, so another takes over at once.
//!
//! The holder counts its lease as valid for two thirds of the period after the renewal began, so a
//! renewal that fails or hangs (the database is away) makes it stop its job before another instance
//! can take the lease. Expiry times are the holder's clock and are read with the others': instances
//! need clocks in step to well under the period (NTP), as any distributed lease does.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::clock;
use crate::store::Store;

/// How long the holder lets a running job finish on shutdown before abandoning it.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// This process: `<host>:<pid>`, what an outbox row in flight records (`claimed_by`).
pub fn process_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        // Linux's host name without a dependency; "host" elsewhere (the pid still tells processes apart).
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".to_owned());
        format!("{host}:{}", std::process::id())
    })
}

/// A new lease holder's id: [`process_id`] and a random part, unique even when two holders share a
/// process (tests) or a reused pid.
pub fn new_holder_id() -> String {
    format!(
        "{}:{}",
        process_id(),
        &crate::store::outbox::random_token()[..8]
    )
}

/// What a job run is told: whether to go on (the lease is still held and no stop was asked for), and
/// whether it is the first run since this instance took the lease.
#[derive(Clone)]
pub struct Run {
    valid_until: Arc<Mutex<Option<Instant>>>,
    first: bool,
}

impl Run {
    /// Whether the job should go on: a long job asks between steps and stops when this is false.
    pub fn should_continue(&self) -> bool {
        self.valid_until
            .lock()
            .expect("lease state lock")
            .is_some_and(|until| Instant::now() < until)
    }

    /// Whether this is the first run since the lease was taken: what the previous holder left half
    /// done is this run's to pick up.
    pub fn is_first(&self) -> bool {
        self.first
    }
}

/// One job's keeper task. Stop it with [`LeasedJob::stop`].
pub struct LeasedJob {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl LeasedJob {
    /// Stops the job: a running one gets [`STOP_GRACE`] to finish (it is told to stop through
    /// [`Run::should_continue`]), then the lease is given up.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Stops the keeper as a crash would: no release, no renewal, the lease left to run out (tests
    /// of another instance taking over).
    #[cfg(feature = "test-support")]
    pub fn abandon(self) {
        self.task.abort();
    }
}

/// The settings of one leased job.
#[derive(Debug, Clone)]
pub struct LeaseSettings {
    /// The lease's name, the job's (`outbox`, `sweeper`, `purge`).
    pub name: &'static str,
    /// Who this instance is ([`new_holder_id`]).
    pub holder: Arc<str>,
    /// How long a taken or renewed lease lasts.
    pub period: Duration,
    /// How often the holder runs the job (the first run is at once).
    pub interval: Duration,
}

/// Starts the keeper of `settings.name`: takes the lease when it can and, while it holds it, runs
/// `job` at once and then every `settings.interval` after the end of the previous run.
pub fn spawn_leased<F, Fut>(store: Store, settings: LeaseSettings, mut job: F) -> LeasedJob
where
    F: FnMut(Run) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let LeaseSettings {
            name,
            holder,
            period,
            interval,
        } = settings;
        let renew_every = period / 3;
        let valid_for = period - renew_every;
        let valid_until: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
        let set_valid =
            |until: Option<Instant>| *valid_until.lock().expect("lease state lock") = until;
        let mut holding = false;
        let mut first = false;
        let mut next_run = Instant::now();
        let mut running: Option<JoinHandle<()>> = None;
        let mut tick = tokio::time::interval(renew_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let started = Instant::now();
                    let taken = take_or_renew(&store, name, &holder, period, renew_every).await;
                    if taken == Some(true) {
                        if !holding {
                            tracing::info!(job = name, %holder, "took the job's lease: running it here");
                            holding = true;
                            first = true;
                            next_run = Instant::now();
                        }
                        set_valid(Some(started + valid_for));
                        continue;
                    }
                    // Refused: another instance has it. Failed: ours until the last renewal's time is up.
                    let expired = valid_until
                        .lock()
                        .expect("lease state lock")
                        .is_none_or(|until| Instant::now() >= until);
                    if holding && (taken == Some(false) || expired) {
                        tracing::warn!(job = name, "no longer holding the job's lease: stopping it here");
                        holding = false;
                        set_valid(None);
                        stop_run(&mut running, Duration::ZERO).await;
                    }
                }
                () = tokio::time::sleep_until(next_run), if holding && running.is_none() => {
                    let run = Run { valid_until: valid_until.clone(), first };
                    first = false;
                    running = Some(tokio::spawn(job(run)));
                }
                _ = finished(&mut running) => {
                    running = None;
                    next_run = Instant::now() + interval;
                }
                _ = stopped.changed() => break,
            }
        }
        set_valid(None);
        stop_run(&mut running, STOP_GRACE).await;
        if holding {
            match store.release_lease(name, &holder).await {
                Ok(()) => tracing::info!(job = name, "gave the job's lease up"),
                Err(error) => tracing::warn!(job = name, %error, "lease not given up: it runs out"),
            }
        }
    });
    LeasedJob { stop, task }
}

/// One attempt to take or renew lease `name` for `period`: whether `holder` has it now, or `None` when
/// the database did not answer within `wait` (logged).
async fn take_or_renew(
    store: &Store,
    name: &str,
    holder: &str,
    period: Duration,
    wait: Duration,
) -> Option<bool> {
    let now_ms = clock::now_ms();
    let until_ms = now_ms.saturating_add(i64::try_from(period.as_millis()).unwrap_or(i64::MAX));
    match tokio::time::timeout(wait, store.try_take_lease(name, holder, now_ms, until_ms)).await {
        Ok(Ok(taken)) => Some(taken),
        Ok(Err(error)) => {
            tracing::warn!(job = name, %error, "could not take or renew the job's lease");
            None
        }
        Err(_) => {
            tracing::warn!(job = name, "taking or renewing the job's lease timed out");
            None
        }
    }
}

/// Completes when the run in `running` ends; never when there is none.
async fn finished(running: &mut Option<JoinHandle<()>>) {
    match running {
        Some(run) => {
            let _ = run.await;
        }
        None => std::future::pending().await,
    }
}

/// Waits up to `grace` for the run in `running` (already told to stop), then aborts it.
async fn stop_run(running: &mut Option<JoinHandle<()>>, grace: Duration) {
    if let Some(run) = running.take() {
        let abort = run.abort_handle();
        if tokio::time::timeout(grace, run).await.is_err() {
            abort.abort();
        }
    }
}
