-- a copy of the database places no orders with the webshops
UPDATE punchout_order_transmission
   SET state = 'cancelled',
       date_next_attempt = NULL,
       last_error = 'Not sent: this database is a neutralized copy.'
 WHERE state IN ('to_send', 'sent');

UPDATE punchout_webshop
   SET order_format = 'none';

-- nor takes their documents: the shop authenticates with a secret of production
UPDATE punchout_webshop
   SET inbound_secret = NULL;
