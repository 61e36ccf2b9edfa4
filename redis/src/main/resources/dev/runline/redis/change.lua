-- A job's change from one state to the next, if the job is still in the state the change was
-- computed from (its version), with everything the change means kept in the same step: the
-- counts, the queue, the ttl deadline, the node's claims, the stream, the expiry.
-- KEYS: 1 job hash, 2 counts hash, 3 ttl deadlines zset, 4 normal queue, 5 low-priority queue,
--       6 chunks list
-- ARGV: 1 expected version, 2 the new version, 3 the new status, 4 keep (ms, terminal),
--       5 news channel, 6 id, 7 this node (a start must be on the node that took the job),
--       8 capacity (a retry needs room), 9 ttl deadline (epoch ms, a retry or redelivery),
--       10 'expire' when the ttl ends the job (then it is deleted), 11 claims key prefix,
--       12 endpoint, 13.. the state's fields as name/value pairs ('' deletes the field)
-- Returns {'OK'}, {'GONE'}, {'FULL'}, or {'STALE', fields} with the job as it is.
local job = KEYS[1]
local kept = redis.call('HMGET', job, 'v', 'st', 'nd')
local version = kept[1]
if not version then
  return {'GONE'}
end
if version ~= ARGV[1] then
  return {'STALE', redis.call('HGETALL', job)}
end
local from = kept[2]
local to = ARGV[3]
local node = kept[3]
if from == 'IN_QUEUE' and to == 'IN_PROGRESS' and node ~= ARGV[7] then
  return {'STALE', redis.call('HGETALL', job)}
end
local retry = to == 'IN_QUEUE' and from ~= 'IN_QUEUE' and from ~= 'IN_PROGRESS'
if retry and tonumber(redis.call('HGET', KEYS[2], 'inQueue') or '0') >= tonumber(ARGV[8]) then
  return {'FULL'}
end
if from ~= to then
  if from == 'IN_QUEUE' then
    redis.call('HINCRBY', KEYS[2], 'inQueue', -1)
  elseif from == 'IN_PROGRESS' then
    redis.call('HINCRBY', KEYS[2], 'inProgress', -1)
  end
  if to == 'IN_QUEUE' then
    redis.call('HINCRBY', KEYS[2], 'inQueue', 1)
    if retry then
      redis.call('HINCRBY', KEYS[2], 'retried', 1)
    end
  elseif to == 'IN_PROGRESS' then
    redis.call('HINCRBY', KEYS[2], 'inProgress', 1)
  elseif to == 'COMPLETED' then
    redis.call('HINCRBY', KEYS[2], 'completed', 1)
  elseif to == 'FAILED' or to == 'TIMED_OUT' then
    redis.call('HINCRBY', KEYS[2], 'failed', 1)
  end
end
local set, unset = {}, {}
for i = 13, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    unset[#unset + 1] = ARGV[i]
  else
    set[#set + 1] = ARGV[i]
    set[#set + 1] = ARGV[i + 1]
  end
end
if #set > 0 then
  redis.call('HSET', job, unpack(set))
end
if #unset > 0 then
  redis.call('HDEL', job, unpack(unset))
end
local id = ARGV[6]
if to ~= 'IN_QUEUE' and to ~= 'IN_PROGRESS' then
  -- Ended: no longer queued, claimed or waiting for its ttl; kept for its retention.
  redis.call('ZREM', KEYS[3], id)
  if from == 'IN_QUEUE' then
    redis.call('LREM', KEYS[4], 0, id)
    redis.call('LREM', KEYS[5], 0, id)
  end
  if node then
    redis.call('SREM', ARGV[11] .. node, id)
    redis.call('HDEL', job, 'nd')
  end
  if ARGV[10] == 'expire' then
    redis.call('DEL', job, KEYS[6])
  else
    redis.call('PEXPIRE', job, ARGV[4])
    redis.call('PEXPIRE', KEYS[6], ARGV[4])
  end
elseif to == 'IN_QUEUE' and from ~= 'IN_QUEUE' then
  -- Queued again: a retry (the back of the queue, a new attempt with an empty stream) or a
  -- redelivery after a lost node (the front, a new run of the same job).
  if node then
    redis.call('SREM', ARGV[11] .. node, id)
    redis.call('HDEL', job, 'nd')
  end
  redis.call('DEL', KEYS[6])
  redis.call('HDEL', job, 'ck', 'fo')
  redis.call('PERSIST', job)
  redis.call('ZADD', KEYS[3], ARGV[9], id)
  local queue = redis.call('HGET', job, 'lp') == '1' and KEYS[5] or KEYS[4]
  if retry then
    redis.call('RPUSH', queue, id)
  else
    redis.call('LPUSH', queue, id)
  end
  redis.call('PUBLISH', ARGV[5], 'ready ' .. ARGV[12])
end
redis.call('PUBLISH', ARGV[5], 'job ' .. id .. ' ' .. ARGV[2])
return {'OK'}
