//! What the bench prints before criterion runs: heap allocations per
//! server handshake and the heap held while paused, then the servers'
//! times measured interleaved, with their ratios to the floor and to
//! rustls.

use super::handshake_driver::resumed::Resumed;
use super::handshake_driver::{
    rustls_paused, stapler_deferred_handshake, stapler_deferred_pauses, stapler_paused, Meter,
    Version,
};
use super::{Rig, Server, SERVERS, VARIANTS};

/// Allocations per server handshake, and heap held while paused.
pub fn heap(rig: &mut Rig) {
    eprintln!("heap allocations per server handshake (count, bytes requested):");
    for version in Version::ALL {
        for (stapled, variant) in VARIANTS {
            for (server, name) in SERVERS {
                // Warm up, then require every handshake to cost the same.
                rig.handshake(server, version, stapled, &mut Meter::default());
                let mut per = Vec::new();
                for _ in 0..20 {
                    let mut m = Meter::default();
                    rig.handshake(server, version, stapled, &mut m);
                    per.push((m.allocations, m.bytes));
                }
                let (min, max) = (per.iter().min().unwrap(), per.iter().max().unwrap());
                let spread = if min.0 == max.0 {
                    String::new()
                } else {
                    format!(" (varies: {} to {})", min.0, max.0)
                };
                eprintln!(
                    "  {} {variant:8} {name:8} {:4} allocations, {:6} bytes{spread}",
                    version.name(),
                    max.0,
                    max.1
                );
            }
        }
    }
    eprintln!("  TLS 1.3 with a client certificate (ECDSA P-256 both sides):");
    for (server, name) in SERVERS {
        rig.mtls(server, &mut Meter::default());
        let mut max = (0, 0);
        for _ in 0..20 {
            let mut m = Meter::default();
            rig.mtls(server, &mut m);
            max = max.max((m.allocations, m.bytes));
        }
        eprintln!(
            "  tls13-mtls       {name:8} {:4} allocations, {:6} bytes",
            max.0, max.1
        );
    }
    for (server, name) in SERVERS {
        if !rig.hybrid(server, &mut Meter::default()) {
            continue;
        }
        let mut max = (0, 0);
        for _ in 0..20 {
            let mut m = Meter::default();
            rig.hybrid(server, &mut m);
            max = max.max((m.allocations, m.bytes));
        }
        eprintln!(
            "  tls13-x25519mlkem768 {name:8} {:4} allocations, {:6} bytes",
            max.0, max.1
        );
    }
    eprintln!("  resumed, new tickets included:");
    for kind in Resumed::ALL {
        for (server, name) in SERVERS {
            let mut max = None;
            for _ in 0..20 {
                let mut m = Meter::default();
                if rig.resumed(server, kind, &mut m) {
                    max = max.max(Some((m.allocations, m.bytes)));
                }
            }
            if let Some((count, bytes)) = max {
                eprintln!(
                    "  {:16} {name:8} {count:4} allocations, {bytes:6} bytes",
                    kind.name()
                );
            }
        }
    }
    eprintln!(
        "  with all three decisions deferred (selection, OCSP, a remote key signed by ring):"
    );
    for version in Version::ALL {
        let mut per = Vec::new();
        for _ in 0..20 {
            let mut m = Meter::default();
            stapler_deferred_handshake(&rig.fx, version, &mut rig.io, &mut m);
            per.push((m.allocations, m.bytes));
        }
        let max = per.iter().max().unwrap();
        eprintln!(
            "  {} deferred stapler  {:4} allocations, {:6} bytes",
            version.name(),
            max.0,
            max.1
        );
        let pauses = stapler_deferred_pauses(&rig.fx, version, &mut rig.io);
        for (name, paused) in ["selection", "OCSP", "signing"].iter().zip(pauses) {
            eprintln!(
                "  {} paused for {name:9}: connection {} bytes on the heap; request {}",
                version.name(),
                paused.connection_heap,
                paused.event_heap
            );
        }
    }
    eprintln!("heap held while paused for OCSP (the client's hello read, the event out):");
    for version in Version::ALL {
        let ours = stapler_paused(&rig.fx, version, &mut rig.io);
        let theirs = rustls_paused(&rig.fx, version, &mut rig.io);
        eprintln!(
            "  {} stapler  connection {} bytes on the heap (+{} inline); its OcspRequest {} (+{} inline)",
            version.name(),
            ours.connection_heap,
            ours.connection_inline,
            ours.event_heap,
            ours.event_inline
        );
        eprintln!(
            "  {} rustls   Acceptor + Accepted {} bytes on the heap (+{} inline)",
            version.name(),
            theirs.connection_heap,
            theirs.connection_inline
        );
    }
}

/// Prints the p10 and median lines of one scenario timed for stapler,
/// rustls and the floor (`times` in that order), each with the three
/// ratios, under `label`.
fn print_three(label: &str, times: &mut [Vec<f64>; 3]) {
    let [s, r, f] = times.each_mut().map(|v| quantiles(v));
    for (i, which) in ["p10", "median"].iter().enumerate() {
        eprintln!(
            "  {label} {which:6} stapler {:6.0} ns, rustls {:6.0} ns, floor {:6.0} ns; \
             stapler/floor {:.3}, rustls/floor {:.3}, stapler/rustls {:.3}",
            s[i],
            r[i],
            f[i],
            s[i] / f[i],
            r[i] / f[i],
            s[i] / r[i]
        );
    }
}

/// The 10th percentile and the median of `times` (sorted here); NaN for
/// none (a server that does not do that handshake).
fn quantiles(times: &mut [f64]) -> [f64; 2] {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return [f64::NAN; 2];
    }
    [times[times.len() / 10], times[times.len() / 2]]
}

/// The three servers timed in turns, one handshake each at a time, so that
/// a busy machine slows all of them alike; each handshake's server time is
/// kept, and the report gives the median and the 10th percentile (a
/// handshake the scheduler interrupted is slow, never fast, so the low
/// percentile is the steadier figure on a shared machine).
pub fn times(rig: &mut Rig) {
    const HANDSHAKES: usize = 1000;
    eprintln!("server time per handshake, interleaved, {HANDSHAKES} each (p10 / median):");
    for (version, (stapled, variant)) in Version::ALL
        .into_iter()
        .flat_map(|v| VARIANTS.map(|x| (v, x)))
    {
        let mut times = [const { Vec::new() }; 3];
        for _ in 0..HANDSHAKES {
            for (i, (server, _)) in SERVERS.iter().enumerate() {
                let mut m = Meter::default();
                rig.handshake(*server, version, stapled, &mut m);
                times[i].push(m.elapsed.as_nanos() as f64);
            }
        }
        print_three(&format!("{} {variant:8}", version.name()), &mut times);
    }
    // Resumed handshakes, each server issuing new tickets as it
    // resumes; rustls has no psk_ke.
    for kind in Resumed::ALL {
        let mut times = [const { Vec::new() }; 3];
        for _ in 0..HANDSHAKES {
            for (i, (server, _)) in SERVERS.iter().enumerate() {
                let mut m = Meter::default();
                if rig.resumed(*server, kind, &mut m) {
                    times[i].push(m.elapsed.as_nanos() as f64);
                }
            }
        }
        print_three(&format!("{:16}", kind.name()), &mut times);
    }
    // A full TLS 1.3 handshake with a client certificate.
    {
        let mut times = [const { Vec::new() }; 3];
        for _ in 0..HANDSHAKES {
            for (i, (server, _)) in SERVERS.iter().enumerate() {
                let mut m = Meter::default();
                rig.mtls(*server, &mut m);
                times[i].push(m.elapsed.as_nanos() as f64);
            }
        }
        print_three(&format!("{:16}", "tls13-mtls"), &mut times);
    }
    // X25519MLKEM768 beside x25519, stapler, rustls (aws-lc-rs) and the
    // floor, interleaved.
    {
        let mut times = [const { Vec::new() }; 6];
        for _ in 0..HANDSHAKES {
            for (i, server) in [Server::Stapler, Server::Rustls, Server::Floor]
                .into_iter()
                .enumerate()
            {
                let mut m = Meter::default();
                rig.hybrid(server, &mut m);
                times[i].push(m.elapsed.as_nanos() as f64);
            }
            let mut m = Meter::default();
            rig.handshake(Server::Stapler, Version::Tls13, false, &mut m);
            times[3].push(m.elapsed.as_nanos() as f64);
            let mut m = Meter::default();
            rig.handshake(Server::Floor, Version::Tls13, false, &mut m);
            times[4].push(m.elapsed.as_nanos() as f64);
            let mut m = Meter::default();
            rig.hybrid.rustls_x25519(&rig.fx, &mut rig.io, &mut m);
            times[5].push(m.elapsed.as_nanos() as f64);
        }
        let [h, hr, hf, x, xf, xr] = times.each_mut().map(|v| quantiles(v));
        for (i, which) in ["p10", "median"].iter().enumerate() {
            eprintln!(
                "  tls13 hybrid     {which:6} stapler {:6.0} ns, rustls(aws-lc-rs) {:6.0} ns, floor {:6.0} ns; \
                 x25519: stapler {:6.0} ns, rustls(aws-lc-rs) {:6.0} ns, floor {:6.0} ns; stapler/floor {:.3}, \
                 stapler/rustls {:.3}, hybrid/x25519 stapler {:.3}, rustls {:.3}, floor {:.3}",
                h[i],
                hr[i],
                hf[i],
                x[i],
                xr[i],
                xf[i],
                h[i] / hf[i],
                h[i] / hr[i],
                h[i] / x[i],
                hr[i] / xr[i],
                hf[i] / xf[i]
            );
        }
    }
    // All three decisions deferred, interleaved with the stapled floor
    // (the remote key is signed by ring inside the meter, as the floor
    // signs): what the pauses cost.
    for version in Version::ALL {
        let mut times = [const { Vec::new() }; 2];
        for _ in 0..HANDSHAKES {
            let mut m = Meter::default();
            stapler_deferred_handshake(&rig.fx, version, &mut rig.io, &mut m);
            times[0].push(m.elapsed.as_nanos() as f64);
            let mut m = Meter::default();
            rig.handshake(Server::Floor, version, true, &mut m);
            times[1].push(m.elapsed.as_nanos() as f64);
        }
        let [d, f] = times.each_mut().map(|v| quantiles(v));
        for (i, which) in ["p10", "median"].iter().enumerate() {
            eprintln!(
                "  {} deferred {which:6} stapler {:6.0} ns, floor (stapled) {:6.0} ns; \
                 deferred/floor {:.3}",
                version.name(),
                d[i],
                f[i],
                d[i] / f[i]
            );
        }
    }
}
