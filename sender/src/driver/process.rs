//! Chromium's process tree from `/proc`: finding a session's browser
//! process, measuring its memory, and killing whatever is left of it.
//!
//! Chromium is a tree (browser, zygotes, renderers, GPU and utility
//! processes). When chromedriver or the sender dies, the tree can outlive
//! it, so every kill here takes the whole tree, and a session's memory is
//! the tree's.

use std::{
    fs,
    io::{self, Write},
    os::unix::process::CommandExt,
    path::Path,
    process::{ChildStdin, Command, Stdio},
};

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

/// Starts a watchdog in process group `group` that kills the whole group
/// once the returned pipe closes: when the caller drops it, or when the
/// kernel closes it because this process died (kill -9 included). The
/// watchdog is a shell waiting on `read`, so it costs nothing while it waits.
pub fn watch_group(group: u32) -> io::Result<ChildStdin> {
    let mut watchdog = Command::new("/bin/sh")
        .args(["-c", r#"read _; kill -s KILL -- "-$0""#])
        .arg(group.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(group as i32)
        .spawn()?;
    let pipe = watchdog.stdin.take().ok_or_else(|| io::Error::other("no stdin pipe"))?;
    // Reaped when it exits, so no zombie stays behind a long-lived sender.
    std::thread::spawn(move || watchdog.wait());
    Ok(pipe)
}

/// Ends a watchdog from [`watch_group`] now: it kills the group and exits.
pub fn release_group(mut pipe: ChildStdin) {
    // A line or EOF both end the `read`; the line is for clarity.
    let _ = pipe.write_all(b"\n");
}

/// Kills what a dead predecessor left running on profiles under `root`:
/// every browser started with `--user-data-dir=<root>/…` that has been
/// orphaned (it, or the chromedriver above it, now belongs to PID 1), with
/// its process group (its chromedriver and watchdog) when it has one of its
/// own, else its tree. A live sender's browsers on the same root are left
/// alone: their chromedriver's parent is that sender. Returns how many
/// browsers were killed.
pub fn sweep_leftovers(root: &Path) -> usize {
    let Ok(root) = root.canonicalize() else { return 0 };
    let prefix = format!("--user-data-dir={}/", root.display());
    // SAFETY: getpgrp(2) has no arguments and cannot fail.
    let own_group = unsafe { libc::getpgrp() } as u32;
    let orphaned = |pid: u32| stat(pid).is_some_and(|(parent, _)| parent == 1);
    let mut found = 0;
    for pid in all_pids() {
        let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) else { continue };
        let on_root = cmdline.split(|b| *b == 0).any(|arg| arg.starts_with(prefix.as_bytes()));
        let Some((parent, _)) = stat(pid) else { continue };
        if !on_root || !is_alive(pid) || !(parent == 1 || orphaned(parent)) {
            continue;
        }
        found += 1;
        match group_of(pid) {
            Some(group) if group != own_group && group > 1 => {
                // SAFETY: kill(2) on a process group found in /proc.
                unsafe {
                    libc::kill(-(group as libc::pid_t), libc::SIGKILL);
                }
            }
            _ => kill_all(&tree(pid)),
        }
    }
    found
}

fn group_of(pid: u32) -> Option<u32> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid pgrp …`
    text[text.rfind(')')? + 1..].split_whitespace().nth(2)?.parse().ok()
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

/// The memory of each browser under `chromedriver` (one per session).
pub fn browsers_memory(chromedriver: u32) -> Vec<MemoryUsage> {
    all_pids()
        .into_iter()
        .filter(|&pid| stat(pid).is_some_and(|(parent, state)| parent == chromedriver && state != 'Z'))
        .map(memory)
        .collect()
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

    /// A process whose command line carries `--user-data-dir=<dir>`, as a
    /// browser's does: `sh -c 'sleep …' <dir arg>` (the arg is `$0`).
    fn fake_browser(dir: &Path) -> Command {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", "sleep 300; :"]).arg(format!("--user-data-dir={}", dir.display()));
        command
    }

    #[test]
    fn the_sweep_kills_orphaned_browsers_on_its_profiles_and_spares_a_live_senders() {
        let root = tempfile::tempdir().unwrap();
        let root_path = root.path().canonicalize().unwrap();
        // Orphaned: started in the background by a shell that exits at once.
        let orphan_arg = format!("--user-data-dir={}", root_path.join("dead").display());
        let status = Command::new("/bin/sh")
            .args(["-c", r#"sh -c 'sleep 300; :' "$0" >/dev/null 2>&1 &"#, &orphan_arg])
            .status()
            .unwrap();
        assert!(status.success());
        let mut live = fake_browser(&root_path.join("live")).spawn().unwrap();
        let find = |arg: &str| {
            all_pids().into_iter().find(|&pid| {
                is_alive(pid)
                    && fs::read(format!("/proc/{pid}/cmdline"))
                        .is_ok_and(|c| c.split(|b| *b == 0).any(|a| a == arg.as_bytes()))
            })
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let orphan = loop {
            if let Some(pid) = find(&orphan_arg).filter(|&pid| stat(pid).is_some_and(|(parent, _)| parent == 1)) {
                break pid;
            }
            assert!(std::time::Instant::now() < deadline, "the orphan did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };

        assert_eq!(sweep_leftovers(root.path()), 1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while is_alive(orphan) {
            assert!(std::time::Instant::now() < deadline, "the orphan survived the sweep");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(live.try_wait().unwrap().is_none(), "a live sender's browser is left alone");
        let _ = live.kill();
        let _ = live.wait();
    }

    #[test]
    fn closing_the_watchdog_pipe_kills_the_group() {
        let mut leader = Command::new("/bin/sh");
        leader.args(["-c", "sleep 300 & sleep 300"]).process_group(0);
        let mut leader = leader.spawn().unwrap();
        let group = leader.id();
        let pipe = watch_group(group).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let members = tree(group);
        assert!(members.len() >= 2, "{members:?}");
        drop(pipe);
        let _ = leader.wait();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while members.iter().any(|&pid| is_alive(pid)) {
            assert!(std::time::Instant::now() < deadline, "the group outlived its watchdog's pipe");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

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
