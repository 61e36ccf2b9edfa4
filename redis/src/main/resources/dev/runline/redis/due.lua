-- Up to ARGV[2] live jobs of an endpoint whose ttl deadline (epoch ms) is at or before ARGV[1],
-- with their fields; an id whose job is gone leaves the deadlines.
-- KEYS: 1 ttl deadlines zset
-- ARGV: 1 now (epoch ms), 2 how many, 3 job key prefix
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))) do
  local fields = redis.call('HGETALL', ARGV[3] .. id)
  if #fields == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    out[#out + 1] = id
    out[#out + 1] = fields
  end
end
return out
