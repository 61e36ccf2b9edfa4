-- Admits a job: stored, counted, queued and given its ttl deadline in one step, or refused
-- with nothing stored when the endpoint's queue is full.
-- KEYS: 1 job hash, 2 queue list (normal or low priority), 3 counts hash, 4 ttl deadlines zset
-- ARGV: 1 capacity, 2 id, 3 ttl deadline (epoch ms), 4 news channel, 5 endpoint,
--       6.. the job's fields, as name/value pairs
if tonumber(redis.call('HGET', KEYS[3], 'inQueue') or '0') >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[3], 'inQueue', 1)
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
redis.call('PUBLISH', ARGV[4], 'ready ' .. ARGV[5])
return 1
