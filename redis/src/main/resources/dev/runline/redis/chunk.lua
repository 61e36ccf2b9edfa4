-- Appends a chunk to the stream of a run, if the job still runs it (attempt, worker, start).
-- KEYS: 1 job hash, 2 chunks list
-- ARGV: 1 attempt, 2 worker, 3 start (ms after queued), 4 the chunk, 5 news channel, 6 id
if redis.call('HGET', KEYS[1], 'st') ~= 'IN_PROGRESS' or redis.call('HGET', KEYS[1], 'at') ~= ARGV[1]
    or redis.call('HGET', KEYS[1], 'w') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'sm') ~= ARGV[3] then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], 'chunk ' .. ARGV[6])
return 1
