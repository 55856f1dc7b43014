//! The one framing of every state the library saves (recycle spaces, learner states): an
//! 8-byte magic naming the kind, a format version, little-endian integers and doubles, and an
//! FNV-1a checksum of everything before it. Readers check all of it before trusting a byte, so
//! a truncated, corrupted, foreign or future-version buffer is a clear error, never garbage.

use crate::error::Error;

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

/// Builds a saved state.
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Starts a buffer of kind `magic`, format `version`.
    pub(crate) fn new(magic: &[u8; 8], version: u32) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(magic);
        buf.extend_from_slice(&version.to_le_bytes());
        Writer { buf }
    }

    /// Appends an integer.
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends doubles (their count is the reader's to know, from integers written before).
    pub(crate) fn f64s(&mut self, v: &[f64]) -> &mut Self {
        self.buf.reserve(8 * v.len());
        v.iter().for_each(|x| self.buf.extend_from_slice(&x.to_le_bytes()));
        self
    }

    /// The buffer with its checksum.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let sum = fnv1a(&self.buf);
        self.buf.extend_from_slice(&sum.to_le_bytes());
        self.buf
    }
}

/// Reads a saved state written by [`Writer`], checking magic, checksum and version first.
pub(crate) struct Reader<'a> {
    body: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Opens `bytes` as a buffer of kind `magic` and format `version`; `what` names the kind
    /// in error messages ("recycle-space buffer").
    pub(crate) fn open(bytes: &'a [u8], magic: &[u8; 8], version: u32, what: &'static str) -> Result<Self, Error> {
        let bad = |why: String| Error::invalid(format!("{what} rejected: {why}"));
        if bytes.len() < 20 || &bytes[..8] != magic {
            return Err(bad(format!("it does not start with the nksolve {what} header")));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        if fnv1a(body) != u64::from_le_bytes(sum.try_into().expect("8 bytes")) {
            return Err(bad("checksum mismatch (truncated or corrupted)".into()));
        }
        let found = u32::from_le_bytes(body[8..12].try_into().expect("4 bytes"));
        if found != version {
            return Err(bad(format!("format version {found}; this library reads version {version}")));
        }
        Ok(Reader { body, pos: 12, what })
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(len).filter(|&e| e <= self.body.len()).ok_or_else(|| {
            Error::invalid(format!("{} rejected: its sizes ask for more bytes than it holds", self.what))
        })?;
        let s = &self.body[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Reads an integer.
    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    /// Reads an integer that sizes something, as `usize`.
    pub(crate) fn size(&mut self) -> Result<usize, Error> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| Error::invalid(format!("{} rejected: size {v} does not fit this machine", self.what)))
    }

    /// Reads `count` doubles, all finite.
    pub(crate) fn f64s(&mut self, count: usize) -> Result<Vec<f64>, Error> {
        let len = count.checked_mul(8).ok_or_else(|| Error::invalid(format!("{} rejected: size overflow", self.what)))?;
        let v: Vec<f64> = self.take(len)?.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::invalid(format!("{} rejected: it holds non-finite values", self.what)));
        }
        Ok(v)
    }

    /// Checks that every byte was read.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.pos != self.body.len() {
            return Err(Error::invalid(format!("{} rejected: {} trailing bytes", self.what, self.body.len() - self.pos)));
        }
        Ok(())
    }
}

/// Writes `bytes` to the file `path` (created or replaced).
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::invalid(format!("could not write '{}': {e}", path.display())))
}

/// Reads the whole file `path`.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::invalid(format!("could not read '{}': {e}", path.display())))
}
