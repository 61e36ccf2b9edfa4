-- Records a job just admitted as the newest of its owner's window on an endpoint.
-- KEYS[1] the endpoint's position counter, KEYS[2] the owner's window (zset: id by position)
-- ARGV[1] the job's id, ARGV[2] the window's capacity
-- Returns the position given.
local position = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], position, ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
return position
