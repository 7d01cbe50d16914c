-- A phone typed "+84 0912 345 678" (the national 0 written after the country code) was stored
-- as 00912345678 until the parser learnt to drop that 0: the same person's number is written
-- alike now (0912345678), so erasure, search, the caller's history and the counts of distinct
-- consumers find all of their cases and calls. The old parser kept only 10–11 digits, so such
-- a number is 11 digits starting with 00; the search words hold it as a word of its own.
UPDATE cases
   SET search_text = trim(replace(' ' || search_text || ' ', ' ' || consumer_phone || ' ',
                                  ' 0' || substr(consumer_phone, 3) || ' ')),
       consumer_phone = '0' || substr(consumer_phone, 3)
 WHERE consumer_phone LIKE '00%' AND length(consumer_phone) = 11;
UPDATE calls
   SET caller_phone = '0' || substr(caller_phone, 3)
 WHERE caller_phone LIKE '00%' AND length(caller_phone) = 11;
