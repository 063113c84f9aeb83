-- a copy of the database places no orders with the webshops
UPDATE oci_order_transmission
   SET state = 'cancelled',
       next_attempt_at = NULL,
       last_error = 'Not sent: this database is a neutralized copy.'
 WHERE state IN ('to_send', 'sent');

UPDATE oci_punchout_supplier
   SET order_format = 'none';
