-- A task's files are compressed with lz4 as they are stored, where the
-- server has it (PostgreSQL 14 and later built with lz4, as Debian's and
-- the official images are). 0001 stored them uncompressed because
-- PostgreSQL's older method, pglz, cost more time than it saved; lz4 is the
-- other way round. A commit of 1 M targets stores about 50 MB of manifest:
-- PostgreSQL wrote it (56 pieces of 1 MiB, random ids) in 530-570 ms
-- uncompressed, 240-250 ms with lz4 and 670-720 ms with pglz, and lz4 kept
-- 14 MB of the 49; reading the pieces back took as long as before. What a
-- commit waits for is the writing of the table and of the write-ahead log.
--
-- Rows stored before keep their form; PostgreSQL reads both. A server
-- without lz4 (or older than 14, which cannot name a method) keeps storing
-- the files uncompressed: the statements run from strings, so that either
-- refusal comes when they run and is caught here.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE task_files ALTER COLUMN content SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE task_files ALTER COLUMN content SET STORAGE EXTENDED';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'task files stay uncompressed: %', SQLERRM;
END
$$;
