-- The workers of an endpoint summed over the live nodes, as each last reported them
-- ("idle initializing ready running throttled unhealthy").
-- KEYS: 1 nodes zset
-- ARGV: 1 lease start (epoch ms), 2 workers key prefix (the node's name follows)
local sums = {0, 0, 0, 0, 0, 0}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')) do
  local report = redis.call('GET', ARGV[2] .. node)
  if report then
    local i = 1
    for n in string.gmatch(report, '%d+') do
      if i <= 6 then
        sums[i] = sums[i] + tonumber(n)
      end
      i = i + 1
    end
  end
end
return sums
