//! The state-machine test driver for deferred decisions, in the style of
//! quinn's `Pair`: a rustls client and a stapler server in memory (see
//! [`Pair`]), simulated time, and a knob per decision saying how the
//! application answers: at once, late from another thread, never (the
//! request is dropped), with an abort, or first on the wrong connection.
//!
//! `drive` runs the handshake to its end, answering each request the
//! server raises as its knob says, and reports what happened.

#![allow(dead_code)]

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rustls::ClientConfig;
use stapler::server::CertifiedKey;
use stapler::{
    CertificateSelection, CompleteError, Completion, Decision, Event, OcspRequest, RefusalAlert,
    ServerConfig, SignRequest,
};

use super::rustls_pair::Pair;

/// How the application answers one kind of request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// At once, on the thread that drives the connection.
    Now,
    /// From another thread, after the connection was polled while paused.
    LateThread,
    /// Never: the request is dropped.
    Drop,
    /// With the decision's abort.
    Abort,
    /// First handed to another connection paused for the same decision,
    /// which must refuse it unchanged; then to its own.
    WrongConnection,
}

/// Signs for a remote key, standing in for an HSM: given the request, the
/// signature.
pub type Signer = Arc<dyn Fn(&SignRequest) -> Vec<u8> + Send + Sync>;

/// What each decision answers with, when it answers.
#[derive(Clone, Default)]
pub struct Answers {
    /// The certificate to select; `None` selects the config's default.
    pub certificate: Option<Arc<CertifiedKey>>,
    /// A whole configuration to select instead.
    pub config: Option<Arc<ServerConfig>>,
    /// The OCSP response to staple; `None` answers with no staple.
    pub staple: Option<Vec<u8>>,
    /// Signs for remote keys: given the scheme and message, the signature.
    pub signer: Option<Signer>,
}

impl Answers {
    /// All three decisions answered: the ECDSA test leaf selected with its
    /// key held outside stapler (the signer stands in for an HSM), and a
    /// pretend staple tagged `tag`.
    pub fn remote_ecdsa(tag: &str) -> Self {
        use super::rustls_pair::{pki, staple};
        let remote =
            Arc::new(CertifiedKey::remote(&pki("leaf-ecdsa.crt"), &pki("root-ca.crt")).unwrap());
        let der = stapler::pki::pem::private_key_from_pem_or_der(&pki("leaf-ecdsa.key")).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            der.der(),
            &rng,
        )
        .unwrap();
        Self {
            certificate: Some(remote),
            staple: Some(staple(tag)),
            signer: Some(Arc::new(move |req: &SignRequest| {
                key.sign(&rng, req.message()).unwrap().as_ref().to_vec()
            })),
            ..Self::default()
        }
    }
}

/// The knob of each decision.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub select: Knob,
    pub ocsp: Knob,
    pub sign: Knob,
}

impl Plan {
    /// Every decision answered at once.
    pub fn now() -> Self {
        Self::all(Knob::Now)
    }

    /// Every decision answered with `knob`.
    pub fn all(knob: Knob) -> Self {
        Self {
            select: knob,
            ocsp: knob,
            sign: knob,
        }
    }

    /// `knob` for `decision`, the others answered at once.
    pub fn only(decision: Decision, knob: Knob) -> Self {
        let mut plan = Self::now();
        match decision {
            Decision::CertificateSelection => plan.select = knob,
            Decision::Ocsp => plan.ocsp = knob,
            Decision::Signing => plan.sign = knob,
            other => panic!("no knob for {other:?}"),
        }
        plan
    }

    fn knob(&self, decision: Decision) -> Knob {
        match decision {
            Decision::CertificateSelection => self.select,
            Decision::Ocsp => self.ocsp,
            Decision::Signing => self.sign,
            other => panic!("no knob for {other:?}"),
        }
    }
}

/// One request the server raised.
pub enum Request {
    Select(CertificateSelection),
    Ocsp(OcspRequest),
    Sign(SignRequest),
}

impl Request {
    pub fn decision(&self) -> Decision {
        match self {
            Self::Select(_) => Decision::CertificateSelection,
            Self::Ocsp(_) => Decision::Ocsp,
            Self::Sign(_) => Decision::Signing,
        }
    }

    /// The answer `answers` say, or the decision's abort.
    pub fn answer(self, answers: &Answers, abort: bool) -> Completion {
        match self {
            Self::Select(req) if abort => req.abort(
                RefusalAlert::UnrecognizedName,
                "no certificate for this name",
            ),
            Self::Select(req) => match (&answers.config, &answers.certificate) {
                (Some(config), _) => req.use_config(Arc::clone(config)),
                (None, Some(cert)) => req.select(Arc::clone(cert)),
                (None, None) => req.use_default(),
            },
            Self::Ocsp(req) if abort => req.abort("responder down"),
            Self::Ocsp(req) => req.answer(answers.staple.clone().map(Into::into)),
            Self::Sign(req) if abort => req.abort("the HSM is offline"),
            Self::Sign(req) => {
                let signer = answers.signer.as_ref().expect("a signer for remote keys");
                let signature = signer(&req);
                req.signature(signature)
            }
        }
    }
}

/// What a driven handshake did.
pub struct Driven {
    pub pair: Pair,
    /// The decisions the server paused for, in order.
    pub paused_for: Vec<Decision>,
    /// The first error either side reported, if any.
    pub error: Option<String>,
}

/// A simulated clock: seconds since the epoch, advanced by each late
/// answer. stapler reads no clock; this is the time `complete` is given.
pub const START: u64 = 1_800_000_000;

/// Runs `pair` to the end of its handshake, answering as `plan` and
/// `answers` say. `other` makes a connection to hand a completion to
/// first, for `Knob::WrongConnection`: a fresh pair of the same setup.
pub fn drive(mut pair: Pair, plan: Plan, answers: &Answers, other: &dyn Fn() -> Pair) -> Driven {
    let mut now = START;
    let mut paused_for = Vec::new();
    for _ in 0..32 {
        if let Err(e) = pair.client_to_server() {
            return Driven {
                pair,
                paused_for,
                error: Some(format!("server: {e}")),
            };
        }
        if let Some(request) = take_request(&mut pair) {
            let decision = request.decision();
            assert_eq!(pair.server.paused_for(), Some(decision));
            assert!(pair.to_client.is_empty() || decision == Decision::Signing);
            paused_for.push(decision);
            let knob = plan.knob(decision);
            let completion = match knob {
                Knob::Now => request.answer(answers, false),
                Knob::Abort => request.answer(answers, true),
                Knob::LateThread => {
                    let answers = answers.clone();
                    let late = thread::spawn(move || {
                        thread::sleep(Duration::from_millis(5));
                        request.answer(&answers, false)
                    });
                    // Polled while paused: nothing is taken or written.
                    let before = pair.pending_to_server.len();
                    pair.feed_pending().unwrap();
                    assert_eq!(pair.pending_to_server.len(), before);
                    assert_eq!(pair.server.paused_for(), Some(decision));
                    now += 1;
                    late.join().unwrap()
                }
                Knob::Drop => {
                    drop(request);
                    // The next call notices, and the connection closes.
                    pair.drain_server();
                    let error = pair
                        .server_to_client()
                        .err()
                        .map(|e| format!("client: {e}"));
                    return Driven {
                        pair,
                        paused_for,
                        error: error.or(Some("dropped".into())),
                    };
                }
                Knob::WrongConnection => {
                    let completion = request.answer(answers, false);
                    let mut wrong = paused_at(other(), decision, answers);
                    let Err(CompleteError::Foreign(back)) = wrong.server.complete(completion, now)
                    else {
                        panic!("another connection took the completion");
                    };
                    assert_eq!(wrong.server.paused_for(), Some(decision), "unchanged");
                    back
                }
            };
            if let Err(e) = pair.server.complete(completion, now) {
                pair.drain_server();
                let _ = pair.server_to_client();
                return Driven {
                    pair,
                    paused_for,
                    error: Some(format!("complete: {e}")),
                };
            }
            pair.drain_server();
        }
        if pair.server.is_closed() && pair.to_client.is_empty() {
            break;
        }
        if let Err(e) = pair.server_to_client() {
            return Driven {
                pair,
                paused_for,
                error: Some(format!("client: {e}")),
            };
        }
        if pair.to_client.is_empty()
            && !pair.client.wants_write()
            && pair.server.paused_for().is_none()
            && pair.pending_to_server.is_empty()
        {
            break;
        }
    }
    Driven {
        pair,
        paused_for,
        error: None,
    }
}

/// Runs `pair` until the server pauses for `decision`, answering every
/// earlier request at once.
pub fn paused_at(mut pair: Pair, decision: Decision, answers: &Answers) -> Pair {
    for _ in 0..16 {
        pair.client_to_server().unwrap();
        match take_request(&mut pair) {
            Some(request) if request.decision() == decision => {
                put_back(&mut pair, request);
                return pair;
            }
            Some(request) => {
                let completion = request.answer(answers, false);
                pair.server.complete(completion, START).unwrap();
                pair.drain_server();
            }
            None => {}
        }
        pair.server_to_client().unwrap();
    }
    panic!("never paused for {decision:?}");
}

/// Keeps a request alive in the pair, so that it stays paused.
fn put_back(pair: &mut Pair, request: Request) {
    match request {
        Request::Select(r) => pair.events.push(Event::SelectCertificate(r)),
        Request::Ocsp(r) => pair.ocsp_requests.push(r),
        Request::Sign(r) => pair.events.push(Event::SignRequest(r)),
    }
}

/// The request the server raised, if any, taken out of the pair.
pub fn take_request(pair: &mut Pair) -> Option<Request> {
    if let Some(r) = pair.ocsp_requests.pop() {
        return Some(Request::Ocsp(r));
    }
    let at = pair
        .events
        .iter()
        .position(|e| matches!(e, Event::SelectCertificate(_) | Event::SignRequest(_)))?;
    match pair.events.remove(at) {
        Event::SelectCertificate(r) => Some(Request::Select(r)),
        Event::SignRequest(r) => Some(Request::Sign(r)),
        _ => None,
    }
}

/// A pair of a `version` client, checking the chain against the test
/// root, and `config`, connecting to `name`.
pub fn pair_for(client: impl Fn() -> ClientConfig, config: &Arc<ServerConfig>, name: &str) -> Pair {
    Pair::with_name(client(), Arc::clone(config), name)
}
