//! When a run is over, and who is to blame: the completion rule as a machine with no
//! clock and no processes (quinn-proto's shape), so every case of it is tested in
//! simulated time; [`super::waiting`] drives it over the real programs.
//!
//! A run is over when the program it waits for (the client, unless the scenario shuts
//! the server down; with either-exits, whichever exits first) has exited and then either
//! the other program has exited too, or nothing has happened on the wire or in either
//! program's output for the quiet period (the network holding nothing back); or when the
//! deadline comes. Before any of that, the server must bind its port within the start-up
//! limit.

use crate::case::EndsWhen;
use crate::evidence::Role;
use crate::harness::process::StopReason;
use std::time::{Duration, Instant};

/// How long a server may take to bind its port, at most (less if the budget is shorter).
pub const STARTUP_LIMIT: Duration = Duration::from_secs(5);

/// What a scenario says about its own end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletionTerms {
    /// Which program's exit the run waits for.
    pub ends_when: EndsWhen,
    /// The whole run's time, from the scenario clock's origin.
    pub budget: Duration,
    /// How long nothing may happen, after the awaited exit, before the run is over.
    pub quiet: Duration,
}

/// Whether a run is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not yet: wait for an exit, or until [`CompletionRule::poll_timeout`].
    NotOver,
    Over(OverBecause),
}

/// Why a run is over, and so who is to blame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverBecause {
    /// The awaited program exited, and then the other program exited too.
    BothExited,
    /// The awaited program exited, and then nothing happened for the quiet period.
    WentQuiet,
    /// The awaited program exited, and the deadline came before the quiet period ended.
    DeadlineAfterExit,
    /// The deadline came while the awaited program still ran: it is blamed, stopped as
    /// having run past its deadline. With either-exits, neither had exited: the client is
    /// blamed, as the program whose work the scenario is about.
    DeadlineExceeded { blamed: Role },
    /// The server did not bind its port within the start-up limit (or exited first): it is
    /// blamed by the `startup` check, and stopped as for a finished scenario.
    StartupFailed,
}

impl OverBecause {
    /// The program to blame for the run's end, if any.
    pub fn blamed(self) -> Option<Role> {
        match self {
            OverBecause::DeadlineExceeded { blamed } => Some(blamed),
            OverBecause::StartupFailed => Some(Role::Server),
            OverBecause::BothExited | OverBecause::WentQuiet | OverBecause::DeadlineAfterExit => {
                None
            }
        }
    }

    /// Why `role`, if it still runs, is stopped: past its deadline when it is the program
    /// that kept the run from completing, else because the scenario is over.
    pub fn stop_reason(self, role: Role) -> StopReason {
        match self {
            OverBecause::DeadlineExceeded { blamed } if blamed == role => StopReason::Deadline,
            _ => StopReason::Complete,
        }
    }
}

/// Something the driver must act on at once, before it waits again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionEvent {
    /// The server of a server-exits scenario has exited by itself: whether its port can be
    /// bound again is checked now, before anything is stopped (a process it left behind
    /// that still holds the port would be killed with its group).
    ServerShutDown,
}

/// The completion rule of one run.
///
/// No processes and no clock: the caller tells it what it saw and passes `now` in.
///
/// Call order:
/// 1. [`new`](Self::new) once the server is started;
/// 2. while the server starts, wait until [`startup_deadline`](Self::startup_deadline) for
///    it to bind its port, then tell [`server_ready`](Self::server_ready) or
///    [`startup_failed`](Self::startup_failed);
/// 3. tell each exit as it is seen ([`program_exited`](Self::program_exited)), the
///    latest activity ([`activity_seen`](Self::activity_seen)) and whether the network
///    holds anything ([`network_holds`](Self::network_holds)), then call
///    [`handle_timeout`](Self::handle_timeout) with the current time, and act on each
///    [`poll_event`](Self::poll_event);
/// 4. if [`verdict`](Self::verdict) is [`Verdict::Over`], stop each program still running
///    with [`OverBecause::stop_reason`]; otherwise wait for an exit or until
///    [`poll_timeout`](Self::poll_timeout), then go back to 3.
///
/// `poll_timeout` is `None` only once the run is over: until then the deadline at least
/// is ahead.
#[derive(Clone, Debug)]
pub struct CompletionRule {
    terms: CompletionTerms,
    /// `origin + budget`.
    deadline: Instant,
    /// When the server must have bound its port by.
    startup_deadline: Instant,
    /// The latest output line or relayed packet seen; the origin before any.
    latest_activity: Instant,
    /// The programs seen to have exited, in the order they were told.
    exits: Vec<Role>,
    phase: Phase,
    event: Option<CompletionEvent>,
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The server is starting: it must bind its port by the start-up deadline.
    Starting,
    /// Both programs are up; waiting for the awaited one to exit.
    Running,
    /// `awaited` has exited; waiting for the other to exit or for the quiet period.
    Quiet {
        awaited: Role,
    },
    Over(OverBecause),
}

impl CompletionRule {
    /// The rule for a run whose scenario clock started at `origin` (the deadline is
    /// `origin + budget`), made when its server was started, at `now` (the start-up limit
    /// counts from there).
    pub fn new(terms: CompletionTerms, origin: Instant, now: Instant) -> CompletionRule {
        CompletionRule {
            terms,
            deadline: origin + terms.budget,
            startup_deadline: now + terms.budget.min(STARTUP_LIMIT),
            latest_activity: origin,
            exits: Vec::new(),
            phase: Phase::Starting,
            event: None,
        }
    }

    /// When the server must have bound its port by.
    pub fn startup_deadline(&self) -> Instant {
        self.startup_deadline
    }

    /// How long the server is given to bind its port: the start-up limit, or the whole
    /// budget when that is shorter.
    pub fn startup_limit(&self) -> Duration {
        self.terms.budget.min(STARTUP_LIMIT)
    }

    /// The server has bound its port and the network between the programs is up.
    pub fn server_ready(&mut self) {
        if self.phase == Phase::Starting {
            self.phase = Phase::Running;
            self.advance();
        }
    }

    /// The server did not bind its port in time, or exited first (the network's start-up
    /// watched for its bind): the run is over, and this says why.
    pub fn startup_failed(&mut self) -> OverBecause {
        let over = match self.phase {
            Phase::Over(because) => because,
            Phase::Starting | Phase::Running | Phase::Quiet { .. } => OverBecause::StartupFailed,
        };
        self.phase = Phase::Over(over);
        over
    }

    /// `role` has exited (telling it again changes nothing).
    pub fn program_exited(&mut self, role: Role) {
        if !self.exits.contains(&role) {
            self.exits.push(role);
            self.advance();
        }
    }

    /// Something happened at `at`: an output line, or a packet on the wire.
    pub fn activity_seen(&mut self, at: Instant) {
        self.latest_activity = self.latest_activity.max(at);
    }

    /// At `now` the network holds something it has not passed on (a connection the client
    /// opened that has not reached the server, bytes or an end of stream in the relay):
    /// activity at every moment it is seen, so the run does not go quiet meanwhile.
    pub fn network_holds(&mut self, now: Instant) {
        self.activity_seen(now);
    }

    /// Time has come to `now`: the start-up limit, the quiet period or the deadline may
    /// have run out.
    pub fn handle_timeout(&mut self, now: Instant) {
        let over = match self.phase {
            Phase::Starting if now >= self.startup_deadline => OverBecause::StartupFailed,
            Phase::Running if now >= self.deadline => OverBecause::DeadlineExceeded {
                blamed: self.blamed_at_deadline(),
            },
            Phase::Quiet { .. } if now >= self.quiet_until() => OverBecause::WentQuiet,
            Phase::Quiet { .. } if now >= self.deadline => OverBecause::DeadlineAfterExit,
            _ => return,
        };
        self.phase = Phase::Over(over);
    }

    /// What the driver must act on now, once.
    pub fn poll_event(&mut self) -> Option<CompletionEvent> {
        self.event.take()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next, if no exit comes
    /// first; `None` once the run is over.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Starting => Some(self.startup_deadline),
            Phase::Running => Some(self.deadline),
            Phase::Quiet { .. } => Some(self.quiet_until().min(self.deadline)),
            Phase::Over(_) => None,
        }
    }

    /// Whether the run is over, and why.
    pub fn verdict(&self) -> Verdict {
        match self.phase {
            Phase::Over(because) => Verdict::Over(because),
            Phase::Starting | Phase::Running | Phase::Quiet { .. } => Verdict::NotOver,
        }
    }

    /// Moves on as far as the exits told so far allow: the first awaited exit starts the
    /// quiet period, and the other program's exit ends it.
    fn advance(&mut self) {
        if self.phase == Phase::Running {
            let awaited = self.exits.iter().copied().find(|&role| self.awaits(role));
            if let Some(awaited) = awaited {
                if awaited == Role::Server && self.terms.ends_when == EndsWhen::ServerExits {
                    self.event = Some(CompletionEvent::ServerShutDown);
                }
                self.phase = Phase::Quiet { awaited };
            }
        }
        if let Phase::Quiet { awaited } = self.phase
            && self.exits.contains(&awaited.peer())
        {
            self.phase = Phase::Over(OverBecause::BothExited);
        }
    }

    /// Whether the exit of `role` is one the run waits for.
    fn awaits(&self, role: Role) -> bool {
        match self.terms.ends_when {
            EndsWhen::ClientExits => role == Role::Client,
            EndsWhen::ServerExits => role == Role::Server,
            EndsWhen::EitherExits => true,
        }
    }

    /// Who is stopped as past the deadline when no awaited exit came.
    fn blamed_at_deadline(&self) -> Role {
        match self.terms.ends_when {
            EndsWhen::ServerExits => Role::Server,
            EndsWhen::ClientExits | EndsWhen::EitherExits => Role::Client,
        }
    }

    /// When the quiet period after the latest activity ends (the deadline may come first).
    fn quiet_until(&self) -> Instant {
        self.latest_activity + self.terms.quiet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run with a 10 s budget and a 1 s quiet period, its clock started at `origin` and
    /// its server ready at once; times in tests are offsets from `origin`.
    fn running(ends_when: EndsWhen, origin: Instant) -> CompletionRule {
        let mut rule = started(ends_when, Duration::from_secs(10), origin);
        rule.server_ready();
        rule
    }

    fn started(ends_when: EndsWhen, budget: Duration, origin: Instant) -> CompletionRule {
        let terms = CompletionTerms {
            ends_when,
            budget,
            quiet: Duration::from_secs(1),
        };
        CompletionRule::new(terms, origin, origin)
    }

    fn at(origin: Instant, millis: u64) -> Instant {
        origin + Duration::from_millis(millis)
    }

    #[test]
    fn the_quiet_period_after_the_client_exits_ends_the_run() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.activity_seen(at(t0, 1_800));
        rule.handle_timeout(at(t0, 1_900));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        assert_eq!(rule.poll_timeout(), Some(at(t0, 10_000)));

        rule.program_exited(Role::Client);
        assert_eq!(rule.poll_timeout(), Some(at(t0, 2_800)));
        rule.handle_timeout(at(t0, 2_799));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        rule.handle_timeout(at(t0, 2_800));
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::WentQuiet));
        assert_eq!(rule.poll_timeout(), None);
        // The server, still running, is stopped as for a finished scenario.
        let Verdict::Over(because) = rule.verdict() else {
            panic!("the quiet period after the client's exit ends the run")
        };
        assert_eq!(because.stop_reason(Role::Server), StopReason::Complete);
        assert_eq!(because.blamed(), None);
        assert_eq!(rule.poll_event(), None);
    }

    #[test]
    fn activity_after_the_exit_extends_the_quiet_period() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.program_exited(Role::Client);
        rule.activity_seen(at(t0, 2_000));
        rule.handle_timeout(at(t0, 2_500));
        rule.activity_seen(at(t0, 2_500));
        assert_eq!(rule.poll_timeout(), Some(at(t0, 3_500)));
        rule.handle_timeout(at(t0, 3_000));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        // Activity told late, with an older time, moves nothing back.
        rule.activity_seen(at(t0, 2_100));
        assert_eq!(rule.poll_timeout(), Some(at(t0, 3_500)));
        rule.handle_timeout(at(t0, 3_500));
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::WentQuiet));
    }

    #[test]
    fn the_run_is_not_quiet_while_the_network_holds_what_it_has_not_passed_on() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.program_exited(Role::Client);
        for held in [900, 1_800, 2_700] {
            rule.network_holds(at(t0, held));
            rule.handle_timeout(at(t0, held + 100));
            assert_eq!(rule.verdict(), Verdict::NotOver, "held at {held}");
        }
        rule.handle_timeout(at(t0, 3_700));
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::WentQuiet));
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.program_exited(Role::Client);
        rule.network_holds(at(t0, 9_900));
        let deadline = Verdict::Over(OverBecause::DeadlineAfterExit);
        rule.handle_timeout(at(t0, 10_000));
        assert_eq!(rule.verdict(), deadline, "the deadline still ends it");
    }

    #[test]
    fn without_any_activity_the_quiet_period_counts_from_the_origin() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.program_exited(Role::Client);
        assert_eq!(rule.poll_timeout(), Some(at(t0, 1_000)));
        rule.handle_timeout(at(t0, 1_200));
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::WentQuiet));
    }

    #[test]
    fn the_other_program_exiting_in_the_quiet_period_ends_the_run_at_once() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.activity_seen(at(t0, 3_000));
        rule.program_exited(Role::Client);
        rule.program_exited(Role::Server);
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::BothExited));
    }

    #[test]
    fn a_server_that_exits_first_does_not_end_a_client_exits_run() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.program_exited(Role::Server);
        rule.handle_timeout(at(t0, 5_000));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        assert_eq!(rule.poll_timeout(), Some(at(t0, 10_000)));
        assert_eq!(rule.poll_event(), None);
        // Told again, as a driver that reads exits each time it wakes may: nothing moves.
        rule.program_exited(Role::Server);
        assert_eq!(rule.verdict(), Verdict::NotOver);
        // Once the client follows, both have exited: no quiet period to wait for.
        rule.program_exited(Role::Client);
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::BothExited));
    }

    #[test]
    fn with_either_exits_the_first_exit_starts_the_quiet_period() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::EitherExits, t0);
        rule.activity_seen(at(t0, 4_000));
        rule.program_exited(Role::Server);
        // Not a server-exits scenario: its port is not checked.
        assert_eq!(rule.poll_event(), None);
        assert_eq!(rule.poll_timeout(), Some(at(t0, 5_000)));
        rule.handle_timeout(at(t0, 4_500));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        rule.handle_timeout(at(t0, 5_000));
        let Verdict::Over(because) = rule.verdict() else {
            panic!("the quiet period after the server's exit ends the run")
        };
        assert_eq!(because, OverBecause::WentQuiet);
        assert_eq!(because.stop_reason(Role::Client), StopReason::Complete);
    }

    #[test]
    fn with_either_exits_the_second_exit_ends_the_run() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::EitherExits, t0);
        rule.program_exited(Role::Client);
        assert_eq!(rule.verdict(), Verdict::NotOver);
        rule.program_exited(Role::Server);
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::BothExited));
    }

    #[test]
    fn with_either_exits_past_the_deadline_the_client_is_blamed() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::EitherExits, t0);
        rule.handle_timeout(at(t0, 10_000));
        let Verdict::Over(because) = rule.verdict() else {
            panic!("the deadline ends the run")
        };
        assert_eq!(
            because,
            OverBecause::DeadlineExceeded {
                blamed: Role::Client
            }
        );
        assert_eq!(because.stop_reason(Role::Client), StopReason::Deadline);
        assert_eq!(because.stop_reason(Role::Server), StopReason::Complete);
    }

    #[test]
    fn a_server_exits_run_checks_the_port_once_then_waits_for_quiet() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ServerExits, t0);
        // The client exiting first is not what the run waits for.
        rule.program_exited(Role::Client);
        assert_eq!(rule.verdict(), Verdict::NotOver);
        assert_eq!(rule.poll_event(), None);
        let mut rule = running(EndsWhen::ServerExits, t0);
        rule.activity_seen(at(t0, 2_000));
        rule.program_exited(Role::Server);
        assert_eq!(rule.poll_event(), Some(CompletionEvent::ServerShutDown));
        assert_eq!(rule.poll_event(), None);
        rule.program_exited(Role::Server);
        assert_eq!(rule.poll_event(), None);
        rule.handle_timeout(at(t0, 3_000));
        let Verdict::Over(because) = rule.verdict() else {
            panic!("the quiet period after the server's exit ends the run")
        };
        assert_eq!(because, OverBecause::WentQuiet);
        assert_eq!(because.stop_reason(Role::Client), StopReason::Complete);
    }

    #[test]
    fn a_server_exits_run_blames_the_server_at_the_deadline() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ServerExits, t0);
        rule.program_exited(Role::Client);
        rule.handle_timeout(at(t0, 9_999));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        rule.handle_timeout(at(t0, 10_000));
        let Verdict::Over(because) = rule.verdict() else {
            panic!("the deadline ends the run")
        };
        assert_eq!(because.blamed(), Some(Role::Server));
        assert_eq!(because.stop_reason(Role::Server), StopReason::Deadline);
        assert_eq!(because.stop_reason(Role::Client), StopReason::Complete);
        assert_eq!(rule.poll_event(), None);
    }

    #[test]
    fn a_client_still_running_at_the_deadline_is_blamed() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.activity_seen(at(t0, 9_900));
        rule.handle_timeout(at(t0, 10_001));
        assert_eq!(
            rule.verdict(),
            Verdict::Over(OverBecause::DeadlineExceeded {
                blamed: Role::Client
            })
        );
        // Over is over: a late exit changes nothing.
        rule.program_exited(Role::Client);
        rule.handle_timeout(at(t0, 20_000));
        assert_eq!(
            rule.verdict(),
            Verdict::Over(OverBecause::DeadlineExceeded {
                blamed: Role::Client
            })
        );
    }

    #[test]
    fn the_deadline_cuts_a_quiet_period_short_and_blames_no_one() {
        let t0 = Instant::now();
        let mut rule = running(EndsWhen::ClientExits, t0);
        rule.activity_seen(at(t0, 9_500));
        rule.program_exited(Role::Client);
        assert_eq!(rule.poll_timeout(), Some(at(t0, 10_000)));
        rule.handle_timeout(at(t0, 10_000));
        let Verdict::Over(because) = rule.verdict() else {
            panic!("the deadline ends the run")
        };
        assert_eq!(because, OverBecause::DeadlineAfterExit);
        assert_eq!(because.blamed(), None);
        assert_eq!(because.stop_reason(Role::Server), StopReason::Complete);
    }

    #[test]
    fn the_start_up_limit_is_five_seconds_or_the_budget() {
        let t0 = Instant::now();
        let spawned = at(t0, 30);
        let terms = |budget| CompletionTerms {
            ends_when: EndsWhen::ClientExits,
            budget,
            quiet: Duration::from_secs(1),
        };
        let long = CompletionRule::new(terms(Duration::from_secs(60)), t0, spawned);
        assert_eq!(long.startup_limit(), STARTUP_LIMIT);
        assert_eq!(long.startup_deadline(), spawned + STARTUP_LIMIT);
        assert_eq!(long.poll_timeout(), Some(spawned + STARTUP_LIMIT));
        let short = CompletionRule::new(terms(Duration::from_secs(2)), t0, spawned);
        assert_eq!(short.startup_limit(), Duration::from_secs(2));
        assert_eq!(short.startup_deadline(), at(t0, 2_030));
    }

    #[test]
    fn a_start_up_failure_blames_the_server_and_stops_it_as_complete() {
        let t0 = Instant::now();
        let mut rule = started(EndsWhen::ClientExits, Duration::from_secs(10), t0);
        rule.handle_timeout(at(t0, 4_000));
        assert_eq!(rule.verdict(), Verdict::NotOver);
        let because = rule.startup_failed();
        assert_eq!(rule.verdict(), Verdict::Over(because));
        assert_eq!(because, OverBecause::StartupFailed);
        assert_eq!(because.blamed(), Some(Role::Server));
        assert_eq!(because.stop_reason(Role::Server), StopReason::Complete);
        assert_eq!(rule.poll_timeout(), None);
        // Too late to be ready.
        rule.server_ready();
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::StartupFailed));
    }

    #[test]
    fn the_start_up_limit_running_out_is_a_start_up_failure() {
        let t0 = Instant::now();
        let mut rule = started(EndsWhen::ClientExits, Duration::from_secs(10), t0);
        rule.handle_timeout(at(t0, 5_000));
        assert_eq!(rule.verdict(), Verdict::Over(OverBecause::StartupFailed));
    }

    #[test]
    fn once_ready_only_the_deadline_is_ahead() {
        let t0 = Instant::now();
        let mut rule = started(EndsWhen::ClientExits, Duration::from_secs(10), t0);
        rule.server_ready();
        assert_eq!(rule.poll_timeout(), Some(at(t0, 10_000)));
        // The start-up limit no longer applies.
        rule.handle_timeout(at(t0, 6_000));
        assert_eq!(rule.verdict(), Verdict::NotOver);
    }

    #[test]
    fn a_server_exit_told_while_starting_counts_once_it_is_ready() {
        let t0 = Instant::now();
        let mut rule = started(EndsWhen::ServerExits, Duration::from_secs(10), t0);
        rule.program_exited(Role::Server);
        assert_eq!(rule.verdict(), Verdict::NotOver);
        assert_eq!(rule.poll_event(), None);
        rule.server_ready();
        assert_eq!(rule.poll_event(), Some(CompletionEvent::ServerShutDown));
        assert_eq!(rule.poll_timeout(), Some(at(t0, 1_000)));
    }
}
