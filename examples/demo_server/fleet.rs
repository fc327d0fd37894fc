//! `--fleet`: this server as one of a fleet sharing staples and ticket
//! keys through Redis (the `stapler-redis` crate). At startup it adopts
//! the fleet's ticket keys (or publishes its own, if it is the first);
//! then a thread follows them every `--fleet-sync-secs`, rotating them for
//! the fleet when due, and puts back the staples Redis lost. The fetches
//! themselves go through the fleet in `demo_ocsp/fleet.rs`.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use stapler::tickets::{TicketKeyPolicy, TicketKeys};
use stapler_redis::{Fleet, FleetSecret};

use super::options::FleetArgs;
use super::LogSink;
use crate::demo_ocsp::stapling::Stapling;
use crate::demo_ocsp::unix_now;

/// How long startup waits for another server that is writing the fleet's
/// first key set at the same moment.
const FIRST_SET_WAIT: Duration = Duration::from_secs(5);

/// This server's membership: its handle on Redis, and the ticket keys its
/// config seals with (none with `--tickets 0`).
pub struct FleetMember {
    fleet: Fleet,
    keys: Option<Arc<TicketKeys>>,
    every: Duration,
}

impl FleetMember {
    /// Joins the fleet at `args`: reads the secret, and with tickets on
    /// makes this server's key set follow the fleet's from the first
    /// handshake. Redis being away is no error: the server starts alone
    /// and joins when it is back.
    pub fn join(args: &FleetArgs, tickets: bool, notes: &mut Vec<String>) -> Result<Self, String> {
        let secret = FleetSecret::from_file(&args.secret_file)
            .map_err(|e| format!("{}: {e}", args.secret_file.display()))?;
        let mut fleet =
            Fleet::new(&args.url, secret).map_err(|e| format!("--fleet {}: {e}", args.url))?;
        notes.push(format!(
            "fleet: {} (secret from {}): one OCSP fetch per certificate for the fleet, \
             staples kept there until nextUpdate; ticket keys shared, followed every {}s",
            args.url,
            args.secret_file.display(),
            args.every_secs()
        ));
        let keys = if tickets {
            let keys = TicketKeys::new(TicketKeyPolicy::default(), unix_now())
                .map_err(|e| format!("ticket keys: {e}"))?;
            notes.push(first_sync(&mut fleet, &keys));
            Some(Arc::new(keys))
        } else {
            None
        };
        Ok(Self {
            fleet,
            keys,
            every: args.sync_every,
        })
    }

    /// The key set for the config.
    pub fn keys(&self) -> Option<Arc<TicketKeys>> {
        self.keys.clone()
    }

    /// Another handle, for the OCSP refresher.
    pub fn handle(&self) -> Fleet {
        self.fleet.clone()
    }

    /// Starts the thread that follows the fleet's keys and puts back the
    /// staples Redis lost, logging what changes (and Redis going away and
    /// coming back, once each).
    pub fn start(mut self, stapling: Option<Arc<Stapling>>, log: LogSink) -> std::io::Result<()> {
        thread::Builder::new()
            .name("fleet sync".into())
            .spawn(move || {
                let mut away = false;
                loop {
                    thread::sleep(self.every);
                    let mut problem = None;
                    if let Some(keys) = &self.keys {
                        match self.fleet.sync_ticket_keys(keys, unix_now()) {
                            Ok(sync) if sync.rotated => {
                                log("fleet: rotated the ticket keys for the fleet".into())
                            }
                            Ok(sync) if sync.published => {
                                log("fleet: published this server's ticket keys".into())
                            }
                            Ok(sync) if sync.changed => {
                                log("fleet: now sealing with the fleet's new ticket key".into())
                            }
                            Ok(_) => {}
                            Err(e) => problem = Some(e.to_string()),
                        }
                    }
                    if let Some(stapling) = &stapling {
                        match stapling.share_held() {
                            Ok(0) => {}
                            Ok(n) => {
                                log(format!("fleet: put back {n} staple(s) redis did not have"))
                            }
                            Err(e) => problem = problem.or(Some(e.to_string())),
                        }
                    }
                    match problem {
                        Some(e) if !away => {
                            away = true;
                            log(format!(
                                "fleet: {e}; serving with the staples and keys held"
                            ));
                        }
                        None if away => {
                            away = false;
                            log("fleet: redis is back".into());
                        }
                        _ => {}
                    }
                }
            })
            .map(drop)
    }
}

/// The startup sync: the fleet's keys adopted (or this server's published),
/// waiting briefly if another server is writing the first set right now.
fn first_sync(fleet: &mut Fleet, keys: &TicketKeys) -> String {
    let deadline = Instant::now() + FIRST_SET_WAIT;
    loop {
        match fleet.sync_ticket_keys(keys, unix_now()) {
            Ok(sync) if sync.published => {
                return "fleet: ticket keys: this server's, published for the fleet".into()
            }
            Ok(sync) if sync.following => return "fleet: ticket keys: the fleet's, adopted".into(),
            Ok(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(100)),
            Ok(_) => return "fleet: ticket keys: not yet the fleet's; following shortly".into(),
            Err(e) => {
                return format!("fleet: {e}: ticket keys this server's own until redis is back")
            }
        }
    }
}
