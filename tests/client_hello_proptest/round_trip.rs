//! The round-trip check: every accessor of a parsed hello returns exactly
//! what the [`HelloModel`] it was encoded from holds.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use stapler::codec::{is_grease, ClientHello, ExtensionType, U16List};

use super::common::hello_encoder::{psk_binders_list, u16s, HelloModel, StatusRequestModel};

use super::common::hello_encoder::ExtensionModel as E;
use stapler::codec::ExtensionType as T;

/// `list` holds exactly `model`: raw with GREASE, iteration without.
fn check_u16_list(list: U16List<'_>, model: &[u16]) -> Result<(), TestCaseError> {
    prop_assert_eq!(list.raw(), &u16s(model)[..]);
    let non_grease: Vec<u16> = model.iter().copied().filter(|v| !is_grease(*v)).collect();
    prop_assert_eq!(list.iter().collect::<Vec<_>>(), non_grease);
    for &v in model {
        prop_assert_eq!(list.contains(v), !is_grease(v));
    }
    Ok(())
}

fn check_opt_u16_list(
    what: &str,
    list: Option<U16List<'_>>,
    model: Option<&Vec<u16>>,
) -> Result<(), TestCaseError> {
    match (list, model) {
        (None, None) => Ok(()),
        (Some(list), Some(model)) => check_u16_list(list, model),
        (list, model) => Err(TestCaseError::fail(format!(
            "{what}: parsed {list:?}, model {model:?}"
        ))),
    }
}

/// Every accessor of `hello` returns exactly what `m` holds.
pub(crate) fn check_round_trip(
    hello: &ClientHello<'_>,
    m: &HelloModel,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(hello.legacy_version(), m.legacy_version);
    prop_assert_eq!(hello.random(), &m.random);
    prop_assert_eq!(hello.session_id(), &m.session_id[..]);
    check_u16_list(hello.cipher_suites(), &m.cipher_suites)?;
    for &s in &m.cipher_suites {
        prop_assert_eq!(hello.offers_cipher_suite(s), !is_grease(s));
    }
    prop_assert_eq!(hello.compression_methods(), &m.compression_methods[..]);

    // The block, all extensions in order, and lookup by type.
    prop_assert_eq!(hello.raw_extensions(), &m.builder().extensions_block()[..]);
    let got: Vec<(ExtensionType, Vec<u8>)> = hello
        .extensions()
        .map(|e| (e.typ, e.body.to_vec()))
        .collect();
    let want: Vec<(ExtensionType, Vec<u8>)> = m
        .extensions()
        .iter()
        .filter(|e| !e.is_grease())
        .map(|e| (e.extension_type(), e.body()))
        .collect();
    prop_assert_eq!(got, want);
    for e in m.extensions() {
        prop_assert_eq!(hello.extension(e.extension_type()), Some(&e.body()[..]));
    }

    // server_name
    let names = m.pick(|e| match e {
        E::ServerName(v) => Some(v),
        _ => None,
    });
    prop_assert_eq!(
        hello
            .server_name()
            .map(|s| s.iter().map(|(t, n)| (t, n.to_vec())).collect::<Vec<_>>()),
        names.cloned()
    );
    prop_assert_eq!(
        hello.server_name().and_then(|s| s.host_name()),
        names
            .and_then(|v| v.iter().find(|(t, _)| *t == 0))
            .map(|(_, n)| &n[..])
    );

    // u16 lists
    let pick_list = |t: ExtensionType| {
        m.pick(move |e| match e {
            E::SupportedVersions(v)
            | E::SupportedGroups(v)
            | E::SignatureAlgorithms(v)
            | E::SignatureAlgorithmsCert(v)
                if e.extension_type() == t =>
            {
                Some(v)
            }
            _ => None,
        })
    };
    check_opt_u16_list(
        "supported_versions",
        hello.supported_versions(),
        pick_list(T::SupportedVersions),
    )?;
    check_opt_u16_list(
        "supported_groups",
        hello.supported_groups(),
        pick_list(T::SupportedGroups),
    )?;
    check_opt_u16_list(
        "signature_algorithms",
        hello.signature_algorithms(),
        pick_list(T::SignatureAlgorithms),
    )?;
    check_opt_u16_list(
        "signature_algorithms_cert",
        hello.signature_algorithms_cert(),
        pick_list(T::SignatureAlgorithmsCert),
    )?;

    // key_share
    let shares = m.pick(|e| match e {
        E::KeyShare(v) => Some(v),
        _ => None,
    });
    prop_assert_eq!(hello.key_share().is_some(), shares.is_some());
    if let (Some(ks), Some(model)) = (hello.key_share(), shares) {
        let got: Vec<(u16, Vec<u8>)> = ks
            .iter()
            .map(|e| (e.group, e.key_exchange.to_vec()))
            .collect();
        let want: Vec<(u16, Vec<u8>)> = model
            .iter()
            .filter(|(g, _)| !is_grease(*g))
            .cloned()
            .collect();
        prop_assert_eq!(got, want);
        for (group, key) in model {
            let found = ks.find(*group).map(|e| (e.group, e.key_exchange));
            prop_assert_eq!(found, Some((*group, &key[..])));
        }
        let absent = (0..=u16::MAX).find(|g| model.iter().all(|(h, _)| h != g));
        prop_assert!(ks.find(absent.unwrap()).is_none());
    }

    // Opaque vectors and raw bodies.
    let opaque = |t: ExtensionType| {
        m.pick(move |e| match e {
            E::PskKeyExchangeModes(v)
            | E::RenegotiationInfo(v)
            | E::SessionTicket(v)
            | E::EcPointFormats(v)
            | E::Padding(v)
            | E::Cookie(v)
                if e.extension_type() == t =>
            {
                Some(&v[..])
            }
            _ => None,
        })
    };
    prop_assert_eq!(
        hello.psk_key_exchange_modes(),
        opaque(T::PskKeyExchangeModes)
    );
    prop_assert_eq!(hello.renegotiation_info(), opaque(T::RenegotiationInfo));
    prop_assert_eq!(hello.session_ticket(), opaque(T::SessionTicket));
    prop_assert_eq!(hello.ec_point_formats(), opaque(T::EcPointFormats));
    prop_assert_eq!(hello.padding(), opaque(T::Padding));
    prop_assert_eq!(hello.cookie(), opaque(T::Cookie));
    let v2 = m.pick(|e| matches!(e, E::StatusRequestV2(_)).then(|| e.body()));
    prop_assert_eq!(hello.status_request_v2().map(<[u8]>::to_vec), v2);

    // ALPN
    let alpn = m.pick(|e| match e {
        E::Alpn(v) => Some(v),
        _ => None,
    });
    prop_assert_eq!(
        hello
            .alpn()
            .map(|a| a.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()),
        alpn.cloned()
    );
    if let (Some(parsed), Some(names)) = (hello.alpn(), alpn) {
        for name in names {
            prop_assert!(parsed.contains(name));
        }
    }

    // Flags
    prop_assert_eq!(
        hello.extended_master_secret(),
        m.extensions()
            .iter()
            .any(|e| matches!(e, E::ExtendedMasterSecret))
    );
    prop_assert_eq!(
        hello.early_data(),
        m.extensions().iter().any(|e| matches!(e, E::EarlyData))
    );

    // pre_shared_key
    let psk = m.pick(|e| match e {
        E::PreSharedKey {
            identities,
            binders,
        } => Some((identities, binders)),
        _ => None,
    });
    prop_assert_eq!(hello.pre_shared_key().is_some(), psk.is_some());
    if let (Some(offer), Some((identities, binders))) = (hello.pre_shared_key(), psk) {
        let got: Vec<(Vec<u8>, u32)> = offer
            .identities()
            .map(|i| (i.identity.to_vec(), i.obfuscated_ticket_age))
            .collect();
        prop_assert_eq!(&got, identities);
        let got: Vec<Vec<u8>> = offer.binders().map(<[u8]>::to_vec).collect();
        prop_assert_eq!(&got, binders);
        let tail = psk_binders_list(binders);
        prop_assert_eq!(offer.binders_len(), tail.len());
        let body = hello.body();
        prop_assert_eq!(&body[body.len() - offer.binders_len()..], &tail[..]);
    }

    // status_request
    let sr_model = m.pick(|e| match e {
        E::StatusRequest(sr) => Some(sr),
        _ => None,
    });
    prop_assert_eq!(hello.status_request().is_some(), sr_model.is_some());
    prop_assert_eq!(
        hello.requests_ocsp(),
        matches!(sr_model, Some(StatusRequestModel::Ocsp { .. }))
    );
    if let (Some(sr), Some(model)) = (hello.status_request(), sr_model) {
        prop_assert_eq!(sr.raw(), &model.encode()[..]);
        match model {
            StatusRequestModel::Ocsp {
                responder_ids,
                request_extensions,
            } => {
                prop_assert_eq!(sr.status_type(), 1);
                let Some(ocsp) = sr.ocsp() else {
                    return Err(TestCaseError::fail("ocsp() is None for type ocsp"));
                };
                let got: Vec<&[u8]> = ocsp.responder_ids().collect();
                let want: Vec<&[u8]> = responder_ids.iter().map(|v| &v[..]).collect();
                prop_assert_eq!(got, want);
                prop_assert_eq!(ocsp.raw_responder_ids(), &model.responder_id_list()[..]);
                prop_assert_eq!(
                    ocsp.raw_request_extensions(),
                    &model.request_extensions_der()[..]
                );
                let got: Vec<&[u8]> = ocsp.request_extensions().collect();
                let want: Vec<&[u8]> = request_extensions
                    .iter()
                    .flatten()
                    .map(|v| &v[..])
                    .collect();
                prop_assert_eq!(got, want);
            }
            StatusRequestModel::Other { status_type, .. } => {
                prop_assert_eq!(sr.status_type(), *status_type);
                prop_assert!(sr.ocsp().is_none());
            }
        }
    }
    Ok(())
}
