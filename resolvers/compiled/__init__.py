"""The read compiler: a query over stored records answered by one SQL statement.

A query whose every field reads stored columns or related rows (``catalog``) is planned
once per document (``plan``), rendered for each request with its arguments and the
caller's tenant (``render``) into one ``SELECT`` that builds the response's JSON in the
database (``json_sql``), and answered from that text (``answer``). Anything else runs
on the resolvers, which answer identically; ``tests/resolvers/compiled`` holds both to
that on PostgreSQL and SQLite.
"""
