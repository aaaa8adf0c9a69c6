//! Chromium's process tree from `/proc`: finding a session's browser
//! process, measuring its memory, and killing whatever is left of it.
//!
//! Chromium is a tree (browser, zygotes, renderers, GPU and utility
//! processes). When chromedriver or the sender dies, the tree can outlive
//! it, so every kill here takes the whole tree, and a session's memory is
//! the tree's.

use std::{fs, path::Path};

/// A process's parent and state, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(u32, char)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((parent, state))
}

fn all_pids() -> Vec<u32> {
    fs::read_dir("/proc")
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// `pid` and all its descendants, parents before children.
pub fn tree(pid: u32) -> Vec<u32> {
    let links: Vec<(u32, u32)> =
        all_pids().into_iter().filter_map(|p| stat(p).map(|(parent, _)| (p, parent))).collect();
    let mut found = vec![pid];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(links.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        next += 1;
    }
    found
}

/// A running process (zombies have exited; they only wait to be reaped).
pub fn is_alive(pid: u32) -> bool {
    stat(pid).is_some_and(|(_, state)| state != 'Z' && state != 'X')
}

/// The child of `parent` that was started with `--user-data-dir=<profile>`:
/// the browser process of that profile.
pub fn browser_of_profile(parent: u32, profile: &Path) -> Option<u32> {
    let wanted = format!("--user-data-dir={}", profile.display());
    all_pids().into_iter().find(|&pid| {
        stat(pid).is_some_and(|(pp, _)| pp == parent)
            && fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmdline| cmdline.split(|b| *b == 0).any(|arg| arg == wanted.as_bytes()))
    })
}

/// SIGKILL to each of `pids` that still runs.
pub fn kill_all(pids: &[u32]) {
    for &pid in pids {
        if is_alive(pid) {
            // SAFETY: kill(2) with a pid we found in /proc; no memory involved.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
    }
}

/// What a process tree holds in memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    pub processes: usize,
    /// Sum of resident set sizes: counts pages shared between the processes
    /// (Chromium's code, shared memory) once per process, so it overstates.
    pub rss_bytes: u64,
    /// Sum of proportional set sizes: shared pages split between their
    /// users; the session's fair share of the host's memory.
    pub pss_bytes: u64,
    /// Sum of private (unshared) pages: what closing the session gives back,
    /// so the cost of one more session on a host that already runs one.
    pub private_bytes: u64,
}

pub fn memory(root: u32) -> MemoryUsage {
    let mut usage = MemoryUsage::default();
    for pid in tree(root) {
        let Ok(rollup) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else { continue };
        usage.processes += 1;
        usage.rss_bytes += kib_field(&rollup, "Rss:");
        usage.pss_bytes += kib_field(&rollup, "Pss:");
        usage.private_bytes += kib_field(&rollup, "Private_Clean:") + kib_field(&rollup, "Private_Dirty:");
    }
    usage
}

fn kib_field(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_own_process_and_its_memory() {
        let me = std::process::id();
        assert!(is_alive(me));
        assert_eq!(tree(me)[0], me);
        let usage = memory(me);
        assert!(usage.processes >= 1 && usage.rss_bytes > 0 && usage.pss_bytes > 0, "{usage:?}");
        assert!(
            usage.private_bytes > 0 && usage.private_bytes <= usage.pss_bytes && usage.pss_bytes <= usage.rss_bytes,
            "{usage:?}"
        );
    }
}
