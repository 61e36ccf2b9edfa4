-- The chunks of the job's stream that no /stream call returned yet, now marked returned; a
-- completed job's output counts as its last chunk when ARGV[1] is '1' (a handler that does
-- not stream), returned once as well.
-- KEYS: 1 job hash, 2 chunks list
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
local from = tonumber(redis.call('HGET', KEYS[1], 'ck') or '0')
local chunks = redis.call('LRANGE', KEYS[2], from, -1)
if #chunks > 0 then
  redis.call('HSET', KEYS[1], 'ck', from + #chunks)
end
if ARGV[1] == '1' and redis.call('HGET', KEYS[1], 'st') == 'COMPLETED' and redis.call('HGET', KEYS[1], 'fo') ~= '1' then
  local output = redis.call('HGET', KEYS[1], 'out')
  if output then
    chunks[#chunks + 1] = output
    redis.call('HSET', KEYS[1], 'fo', '1')
  end
end
return chunks
