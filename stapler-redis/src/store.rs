//! The few Redis commands the fleet sends, over one blocking connection
//! made when first needed and remade after any error, every command under
//! a timeout: a Redis that is down or slow costs a call at most that long,
//! never a hang.

use std::time::Duration;

use redis::{Client, Connection, FromRedisValue};

use crate::error::FleetError;

/// Deletes a lease only if it still holds the given token, in one step
/// (Redis runs a script atomically): a lease that ran out and went to
/// another server is not taken from it.
const RELEASE_SCRIPT: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

pub(crate) struct Store {
    client: Client,
    connection: Option<Connection>,
    timeout: Duration,
}

impl Store {
    pub(crate) fn new(client: Client, timeout: Duration) -> Self {
        Self {
            client,
            connection: None,
            timeout,
        }
    }

    /// Another store on the same Redis, with a connection of its own.
    pub(crate) fn another(&self) -> Self {
        Self::new(self.client.clone(), self.timeout)
    }

    /// Commands from now on take at most `timeout`.
    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        self.connection = None;
    }

    /// Runs `cmd`; on any error the connection is dropped, so that the
    /// next call connects afresh (Redis restarted, or a reply was cut).
    fn run<T: FromRedisValue>(&mut self, cmd: &redis::Cmd) -> Result<T, FleetError> {
        let mut connection = match self.connection.take() {
            Some(connection) => connection,
            None => {
                let connection = self.client.get_connection_with_timeout(self.timeout)?;
                connection.set_read_timeout(Some(self.timeout))?;
                connection.set_write_timeout(Some(self.timeout))?;
                connection
            }
        };
        let result = cmd.query(&mut connection);
        if result.is_ok() {
            self.connection = Some(connection);
        }
        Ok(result?)
    }

    /// The value at `key`, read no further than `max + 1` bytes (GETRANGE:
    /// Redis sends no more), so that a value planted at any size costs
    /// this server nothing. `None` when there is none; `TooLong` past
    /// `max`.
    pub(crate) fn get(
        &mut self,
        key: &str,
        max: usize,
        what: &'static str,
    ) -> Result<Option<Vec<u8>>, FleetError> {
        let value: Vec<u8> = self.run(redis::cmd("GETRANGE").arg(key).arg(0).arg(max))?;
        if value.len() > max {
            return Err(FleetError::TooLong(what));
        }
        // GETRANGE answers "" for a missing key; no value of ours is empty.
        Ok((!value.is_empty()).then_some(value))
    }

    /// Sets `key` to `value`, expiring in `ms` milliseconds.
    pub(crate) fn set_px(&mut self, key: &str, value: &[u8], ms: u64) -> Result<(), FleetError> {
        self.run(
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("PX")
                .arg(ms.max(1)),
        )
    }

    /// Sets `key` to `value` for `ms` milliseconds only if it has no
    /// value (`SET NX PX`): how a lease is taken. Whether it was set.
    pub(crate) fn set_nx_px(
        &mut self,
        key: &str,
        value: &[u8],
        ms: u64,
    ) -> Result<bool, FleetError> {
        let set: Option<String> = self.run(
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("NX")
                .arg("PX")
                .arg(ms.max(1)),
        )?;
        Ok(set.is_some())
    }

    /// How long the lease `key` has left, in milliseconds (0 if none).
    pub(crate) fn lease_left(&mut self, key: &str) -> Result<u64, FleetError> {
        let ms: i64 = self.run(redis::cmd("PTTL").arg(key))?;
        Ok(u64::try_from(ms).unwrap_or(0))
    }

    /// Ends the lease `key` if `token` still holds it.
    pub(crate) fn release(&mut self, key: &str, token: &str) -> Result<(), FleetError> {
        let _: i64 = self.run(
            redis::cmd("EVAL")
                .arg(RELEASE_SCRIPT)
                .arg(1)
                .arg(key)
                .arg(token),
        )?;
        Ok(())
    }
}
