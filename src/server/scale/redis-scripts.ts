/**
 * The Lua scripts that make Redis the one sequencer of a shared project.
 * Each runs atomically, so two gateways publishing to the same project at the
 * same moment still give it one contiguous run of seqs, in one stream order.
 *
 * Keys of a project (its id percent-encoded, so no `{` or `}` of an id can
 * break the cluster hash tag that keeps them on one slot):
 *   <prefix>:{<id>}:epoch   the stream's epoch; a new one when the stream starts over (or its keys expired)
 *   <prefix>:{<id>}:seq     the last seq handed out
 *   <prefix>:{<id>}:stream  a Redis Stream of stamped messages: fields e (epoch), s (seq), t (ts), d (payload JSON)
 *   <prefix>:{<id>}:snap    a hash: epoch, seq, sid (the stream id of that seq), state (SnapshotState JSON)
 *   <prefix>:{<id>}:lock    which gateway writes the snapshots, for a few seconds at a time
 */

/**
 * KEYS: epoch, seq, stream, snap. ARGV: candidate epoch, start over (1/0),
 * max entries, max age ms, key ttl ms, the epoch and seq the appending
 * gateway holds (its floor), then one payload JSON per message.
 * Stamps the messages with contiguous seqs and the Redis server's clock (one
 * clock for every gateway), appends them, trims the stream by length and age.
 *
 * The floor guards against a counter that went back: a Redis restarted from
 * an older save (or a replica that was behind) would hand out seqs the
 * gateways already hold, and they would take the new messages for
 * duplicates. Stamped above the floor, the new messages follow what every
 * gateway holds (a gateway loading later sees the lost stretch as a gap).
 * Returns {epoch, first seq, last seq, ts}.
 */
export const APPEND_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if (not epoch) or ARGV[2] == '1' then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
end
if ARGV[6] == epoch then
  local held = tonumber(redis.call('GET', KEYS[2]) or '0')
  if held < tonumber(ARGV[7]) then redis.call('SET', KEYS[2], ARGV[7]) end
end
local n = #ARGV - 7
local last = redis.call('INCRBY', KEYS[2], n)
local first = last - n + 1
local now = redis.call('TIME')
local ts = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local tsText = string.format('%d', ts)
for i = 1, n do
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', 'e', epoch, 's', string.format('%d', first + i - 1), 't', tsText, 'd', ARGV[7 + i])
end
redis.call('XTRIM', KEYS[3], 'MINID', '~', string.format('%d', ts - tonumber(ARGV[4])))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return {epoch, first, last, tsText}
`;

/**
 * KEYS: epoch, seq. ARGV: epoch, seq. A gateway that read a message whose seq
 * it already holds (the counter went back, see APPEND_SCRIPT) raises the
 * counter to what it holds, in that epoch, so later appends follow it.
 * Returns 1 when it raised it.
 */
export const RAISE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local held = tonumber(redis.call('GET', KEYS[2]) or '0')
if held >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'KEEPTTL')
return 1
`;

/**
 * KEYS: lock. ARGV: gateway id, lock ms. Takes (or keeps) the right to write
 * a project's snapshots: 1 when this gateway holds it, 0 when another does.
 */
export const LOCK_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * KEYS: snap, epoch. ARGV: epoch, seq, sid, state JSON, key ttl ms. Writes a
 * snapshot only when it is of the current epoch and newer than the one held.
 * Returns 1 when written.
 */
export const SNAPSHOT_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local held = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if held[1] == ARGV[1] and held[2] and tonumber(held[2]) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'seq', ARGV[2], 'sid', ARGV[3], 'state', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** The keys of one project under `prefix`. */
export function projectKeys(prefix: string, projectId: string) {
  const tag = `${prefix}:{${encodeURIComponent(projectId)}}`;
  return {
    epoch: `${tag}:epoch`,
    seq: `${tag}:seq`,
    stream: `${tag}:stream`,
    snap: `${tag}:snap`,
    lock: `${tag}:lock`,
  };
}
export type ProjectKeys = ReturnType<typeof projectKeys>;
