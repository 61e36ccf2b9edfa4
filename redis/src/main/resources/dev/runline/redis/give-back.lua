-- Puts jobs node ARGV[1] took and did not start back at the front of their queue.
-- KEYS: 1 normal queue, 2 low-priority queue, 3 the node's claims set
-- ARGV: 1 node, 2 job key prefix, 3 news channel, 4 endpoint, 5.. ids
local given = 0
for i = #ARGV, 5, -1 do
  local id = ARGV[i]
  local key = ARGV[2] .. id
  redis.call('SREM', KEYS[3], id)
  if redis.call('HGET', key, 'st') == 'IN_QUEUE' and redis.call('HGET', key, 'nd') == ARGV[1] then
    redis.call('HDEL', key, 'nd')
    redis.call('LPUSH', redis.call('HGET', key, 'lp') == '1' and KEYS[2] or KEYS[1], id)
    given = given + 1
  end
end
if given > 0 then
  redis.call('PUBLISH', ARGV[3], 'ready ' .. ARGV[4])
end
return given
