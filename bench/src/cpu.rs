//! Where the CPU went during a phase: coopol's process, the PostgreSQL server's processes, the
//! benchmark itself (clients, sink), and how busy the machine's cores were. Throughput on a
//! shared two-core machine moves by tens of per cent between runs of the same code; the CPU
//! time a unit of work costs moves much less, and says whether the cores were the limit.
//!
//! Read from Linux's `/proc` (times in clock ticks of 1/100 s, Linux's fixed `USER_HZ`).
//! Elsewhere every figure is zero.

use std::collections::HashMap;

/// Linux's `USER_HZ`: the unit of the times in `/proc`.
pub const TICKS_PER_S: f64 = 100.0;

/// CPU counters at one moment.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    coopol: u64,
    bench: u64,
    postgres: HashMap<u32, u64>,
    busy: u64,
    total: u64,
}

/// CPU used between two samples.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Seconds of CPU used by coopol's process (all its threads, user and system).
    pub coopol_s: f64,
    /// Seconds used by PostgreSQL's processes (zero with SQLite, which runs inside coopol).
    pub database_s: f64,
    /// Seconds used by the benchmark's own process (simulated servers and clients).
    pub bench_s: f64,
    /// Share of the machine's cores that were busy (0 to 1).
    pub busy: f64,
}

impl Usage {
    /// One line for the console: CPU per unit and the cores' load.
    pub fn describe(&self, units: usize, unit: &str) -> String {
        let per = |s: f64| s * 1e6 / units.max(1) as f64;
        format!(
            "CPU per {unit}: coopol {:.0} µs, database {:.0} µs, bench {:.0} µs; cores {:.0} % busy",
            per(self.coopol_s),
            per(self.database_s),
            per(self.bench_s),
            self.busy * 100.0
        )
    }

    /// The same as JSON fields.
    pub fn json(&self, units: usize) -> serde_json::Value {
        let per = |s: f64| (s * 1e6 / units.max(1) as f64).round();
        serde_json::json!({
            "coopol_us": per(self.coopol_s),
            "database_us": per(self.database_s),
            "bench_us": per(self.bench_s),
            "cores_busy_percent": (self.busy * 100.0).round(),
        })
    }
}

/// Reads the counters now; `coopol` is the server's process id.
pub fn sample(coopol: Option<u32>) -> Sample {
    let (busy, total) = machine().unwrap_or_default();
    Sample {
        coopol: coopol.and_then(process_ticks).unwrap_or(0),
        bench: process_ticks(std::process::id()).unwrap_or(0),
        postgres: postgres(),
        busy,
        total,
    }
}

/// What was used from `before` to `after`. A PostgreSQL process born in between counts from
/// its start; one that ended in between is not counted (the pool's connections live on).
pub fn since(before: &Sample, after: &Sample) -> Usage {
    let secs = |ticks: u64| ticks as f64 / TICKS_PER_S;
    let database: u64 = after
        .postgres
        .iter()
        .map(|(pid, t)| t.saturating_sub(before.postgres.get(pid).copied().unwrap_or(0)))
        .sum();
    let total = after.total.saturating_sub(before.total);
    Usage {
        coopol_s: secs(after.coopol.saturating_sub(before.coopol)),
        database_s: secs(database),
        bench_s: secs(after.bench.saturating_sub(before.bench)),
        busy: if total == 0 {
            0.0
        } else {
            after.busy.saturating_sub(before.busy) as f64 / total as f64
        },
    }
}

/// A process's user and system time, in ticks (fields 14 and 15 of `/proc/PID/stat`).
pub fn process_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_process_ticks(&stat).map(|(_, ticks)| ticks)
}

/// The command name and user + system ticks from a `/proc/PID/stat` line. The name is in
/// parentheses and may hold spaces, so fields are counted after its closing one.
fn parse_process_ticks(stat: &str) -> Option<(&str, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?;
    let mut fields = stat.get(close + 1..)?.split_whitespace();
    // After the name: state (3), ppid (4) ... utime is field 14, stime 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((name, utime + stime))
}

/// Every process named `postgres` (the server and its backends) and its ticks.
fn postgres() -> HashMap<u32, u64> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (name, ticks) = parse_process_ticks(&stat)?;
            (name == "postgres").then_some((pid, ticks))
        })
        .collect()
}

/// The machine's busy and total ticks over all cores (first line of `/proc/stat`).
fn machine() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_machine(stat.lines().next()?)
}

/// `cpu user nice system idle iowait irq softirq steal ...`: idle and iowait are not busy.
/// Steal (time the hypervisor gave to other machines) counts neither way.
fn parse_machine(line: &str) -> Option<(u64, u64)> {
    let v: Vec<u64> = line
        .strip_prefix("cpu ")?
        .split_whitespace()
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let [user, nice, system, idle, iowait, irq, softirq, _steal] = v[..] else {
        return None;
    };
    let busy = user + nice + system + irq + softirq;
    Some((busy, busy + idle + iowait))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_ticks_are_read_after_a_name_with_spaces() {
        let stat = "4242 (tokio rt) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 8 0";
        assert_eq!(parse_process_ticks(stat), Some(("tokio rt", 325)));
    }

    #[test]
    fn machine_busy_leaves_out_idle_and_steal() {
        let line = "cpu  100 5 50 800 20 3 2 40 0 0";
        assert_eq!(parse_machine(line), Some((160, 980)));
    }

    #[test]
    fn usage_is_per_unit_and_counts_new_database_processes_whole() {
        let before = Sample {
            coopol: 100,
            bench: 10,
            postgres: HashMap::from([(1, 50)]),
            busy: 1_000,
            total: 2_000,
        };
        let after = Sample {
            coopol: 300,
            bench: 30,
            postgres: HashMap::from([(1, 80), (2, 20)]),
            busy: 1_300,
            total: 2_400,
        };
        let u = since(&before, &after);
        assert_eq!(u.coopol_s, 2.0);
        assert_eq!(u.database_s, 0.5);
        assert_eq!(u.bench_s, 0.2);
        assert_eq!(u.busy, 0.75);
        assert!(u.describe(1_000, "activity").contains("coopol 2000 µs"));
    }
}
