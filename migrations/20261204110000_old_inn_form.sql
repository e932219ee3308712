-- An organisation's INN in its old form (twelve digits, "00" and the ten-digit INN, under the INN
-- attribute) is the organisation's INN, not a person's: the ten digits go into innle where the
-- certificate has no INNLE, and the owner is worked out again (certkeeper fills owner where it is
-- NULL when the archive is opened), so that the organisation's certificates over the years, in either
-- form, supersede one another.
UPDATE certificates
   SET innle = COALESCE(innle, substr(inn, 3)),
       owner = NULL
 WHERE length(inn) = 12 AND substr(inn, 1, 2) = '00';
