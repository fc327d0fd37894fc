//! [`StapleCache::export`] and [`StapleCache::import`]: the held staples
//! as bytes to keep across restarts, in stapler's own format.

use core::fmt;

use bytes::Bytes;

use super::StapleCache;

impl StapleCache {
    /// The held staples as bytes to persist across restarts (see
    /// [`Self::import`]). The format is stapler's own: a header, then per
    /// staple the SHA-256 of its certificate and the DER response.
    pub fn export(&self) -> Vec<u8> {
        let mut out = EXPORT_MAGIC.to_vec();
        for entry in &self.entries {
            let Some(staple) = &entry.staple else {
                continue;
            };
            let Ok(len) = u32::try_from(staple.der.len()) else {
                continue;
            };
            out.extend_from_slice(&entry.leaf_hash);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&staple.der);
        }
        out
    }

    /// Reads staples written by [`Self::export`] into the entries of the
    /// same certificates (add them first). Each response is verified again
    /// at `now` and kept only where it is not older than what is held; a
    /// kept response is refreshed on its usual schedule. Returns how many
    /// were taken; staples for certificates not in the cache, or no longer
    /// valid, are skipped.
    ///
    /// Bytes that are not a whole export (another format, or cut short, as
    /// a write interrupted by a crash leaves them) are refused as a whole:
    /// nothing is taken.
    pub fn import(&mut self, bytes: &[u8], now: u64) -> Result<usize, ImportError> {
        // Check the framing of every entry before taking any.
        for entry in ExportEntries::new(bytes)? {
            entry?;
        }
        let mut taken = 0usize;
        for entry in ExportEntries::new(bytes)? {
            let (hash, der) = entry?;
            let Some(index) = self.entries.iter().position(|e| &e.leaf_hash == hash) else {
                continue;
            };
            let Ok(staple) = self.check(index, Bytes::copy_from_slice(der), now) else {
                continue;
            };
            // A fetch already out stays out (`store` leaves it be): its
            // result is still awaited.
            self.store(index, staple, now);
            taken = taken.saturating_add(1);
        }
        Ok(taken)
    }
}

/// The first bytes of an export: a name and a format version.
const EXPORT_MAGIC: &[u8] = b"stapler-staples/1\n";

/// The entries of an export: the SHA-256 of a certificate, a 4-byte
/// big-endian length, and that many bytes of DER response.
struct ExportEntries<'a> {
    rest: &'a [u8],
}

impl<'a> ExportEntries<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, ImportError> {
        let rest = bytes
            .strip_prefix(EXPORT_MAGIC)
            .ok_or(ImportError::NotAnExport)?;
        Ok(Self { rest })
    }

    fn split(&mut self) -> Result<(&'a [u8; 32], &'a [u8]), ImportError> {
        let (hash, after) = self
            .rest
            .split_first_chunk::<32>()
            .ok_or(ImportError::Truncated)?;
        let (len, after) = after
            .split_first_chunk::<4>()
            .ok_or(ImportError::Truncated)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| ImportError::Truncated)?;
        let (der, after) = after.split_at_checked(len).ok_or(ImportError::Truncated)?;
        self.rest = after;
        Ok((hash, der))
    }
}

impl<'a> Iterator for ExportEntries<'a> {
    type Item = Result<(&'a [u8; 32], &'a [u8]), ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let entry = self.split();
        if entry.is_err() {
            // One error, then the end.
            self.rest = &[];
        }
        Some(entry)
    }
}

/// Why [`StapleCache::import`] could not read its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes do not start as an export of this format does.
    NotAnExport,
    /// An entry runs past the end of the bytes.
    Truncated,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnExport => f.write_str("not a stapler staple export"),
            Self::Truncated => f.write_str("the staple export is truncated"),
        }
    }
}

impl std::error::Error for ImportError {}
