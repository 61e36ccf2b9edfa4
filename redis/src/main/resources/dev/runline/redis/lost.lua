-- Finds the nodes whose lease ran out (no heartbeat since ARGV[2]), takes each one's claims
-- off it, and returns, per lost node, its name and its claimed jobs' ids and fields. Jobs it
-- took but had not started go back to the front of their queue at once; the caller deals
-- with the running ones (redelivery or failure).
-- KEYS: 1 nodes zset (node -> last heartbeat, epoch ms)
-- ARGV: 1 this node, 2 lease start (epoch ms: nodes not seen since are lost), 3 claims key
--       prefix, 4 job key prefix, 5 queue key prefix (normal), 6 low-priority queue key
--       prefix, 7 news channel, 8 'self' when this node starts again under its name: what it
--       left from before (it holds nothing yet) is taken back like a lost node's claims
local lost
if ARGV[8] == 'self' then
  lost = {ARGV[1]}
else
  lost = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
end
local out = {}
for _, node in ipairs(lost) do
  if node ~= ARGV[1] or ARGV[8] == 'self' then
    redis.call('ZREM', KEYS[1], node)
    local claims = ARGV[3] .. node
    local ids = redis.call('SMEMBERS', claims)
    redis.call('DEL', claims)
    local running = {}
    for _, id in ipairs(ids) do
      local key = ARGV[4] .. id
      local status = redis.call('HGET', key, 'st')
      if status == 'IN_QUEUE' and redis.call('HGET', key, 'nd') == node then
        redis.call('HDEL', key, 'nd')
        local ep = redis.call('HGET', key, 'ep')
        redis.call('LPUSH', (redis.call('HGET', key, 'lp') == '1' and ARGV[6] or ARGV[5]) .. ep, id)
        redis.call('PUBLISH', ARGV[7], 'ready ' .. ep)
      elseif status == 'IN_PROGRESS' then
        running[#running + 1] = id
        running[#running + 1] = redis.call('HGETALL', key)
      end
    end
    out[#out + 1] = node
    out[#out + 1] = running
  end
end
return out
