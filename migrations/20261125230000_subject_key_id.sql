-- Documents name their recipient by issuer and serial number (indexed already) or by the certificate's
-- subject key identifier; this makes the second an index lookup too. Filled by certkeeper on import,
-- and for older rows when the archive is next opened ('' when the certificate has none).
ALTER TABLE certificates ADD COLUMN subject_key_id TEXT;
CREATE INDEX certificates_subject_key_id ON certificates (subject_key_id);
