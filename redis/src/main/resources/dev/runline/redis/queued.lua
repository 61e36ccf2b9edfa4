-- Every queued job of an endpoint (in its queues, or taken by a node and not started yet),
-- with its fields.
-- KEYS: 1 normal queue, 2 low-priority queue, 3 nodes zset
-- ARGV: 1 job key prefix, 2 claims key prefix, 3 endpoint
local out = {}
local function add(id)
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'st') == 'IN_QUEUE' and redis.call('HGET', key, 'ep') == ARGV[3] then
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGETALL', key)
  end
end
for _, queue in ipairs({KEYS[1], KEYS[2]}) do
  for _, id in ipairs(redis.call('LRANGE', queue, 0, -1)) do
    add(id)
  end
end
for _, node in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  for _, id in ipairs(redis.call('SMEMBERS', ARGV[2] .. node)) do
    if redis.call('HGET', ARGV[1] .. id, 'nd') == node then
      add(id)
    end
  end
end
return out
