//! Issuer discovery: which of some certificates issued a given one.

use super::certificate::{Certificate, KeyUsage};
use super::verify::verify_signed_by;

/// Whether `cert` is self-signed: its subject and issuer are the same Name
/// (byte for byte) and its signature verifies with its own key.
pub fn is_self_signed(cert: &Certificate) -> bool {
    cert.subject() == cert.issuer() && verify_signed_by(cert, cert)
}

/// Finds the issuer of `leaf` among `candidates`: the first whose subject
/// is, byte for byte, `leaf`'s issuer Name (RFC 5280 §4.1.2.4 name
/// chaining), whose keyUsage, if it has one, allows keyCertSign, and whose
/// key verifies `leaf`'s signature. A candidate with the right name but
/// another key (a re-keyed or impostor CA) is passed over.
///
/// A self-signed `leaf` has no issuer: `None`, as Node.js reports
/// `issuer: null` for it. `None` also when no candidate fits.
pub fn find_issuer<'a>(
    leaf: &Certificate,
    candidates: impl IntoIterator<Item = &'a Certificate>,
) -> Option<&'a Certificate> {
    if is_self_signed(leaf) {
        return None;
    }
    candidates.into_iter().find(|candidate| {
        candidate.subject() == leaf.issuer()
            && candidate
                .key_usage()
                .is_none_or(|ku| ku.contains(KeyUsage::KEY_CERT_SIGN))
            && verify_signed_by(leaf, candidate)
    })
}
