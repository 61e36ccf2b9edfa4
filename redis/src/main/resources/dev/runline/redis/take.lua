-- Takes up to ARGV[1] queued jobs for node ARGV[2], normal priority first: each is claimed by
-- the node (its name in the job's 'nd', its id in the node's claims) and returned with its
-- fields. An id whose job is no longer queued (cancelled, expired) is dropped.
-- KEYS: 1 normal queue, 2 low-priority queue, 3 the node's claims set
-- ARGV: 1 how many, 2 node, 3 job key prefix
local taken = {}
local want = tonumber(ARGV[1])
for _, queue in ipairs({KEYS[1], KEYS[2]}) do
  while #taken < want * 2 do
    local id = redis.call('LPOP', queue)
    if not id then
      break
    end
    local key = ARGV[3] .. id
    if redis.call('HGET', key, 'st') == 'IN_QUEUE' then
      redis.call('HSET', key, 'nd', ARGV[2])
      redis.call('SADD', KEYS[3], id)
      taken[#taken + 1] = id
      taken[#taken + 1] = redis.call('HGETALL', key)
    end
  end
end
return taken
