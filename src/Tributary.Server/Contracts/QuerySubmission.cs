namespace Tributary.Server.Contracts;

/// <summary>SQL to run on the warehouse (<c>POST /api/query</c>), for <c>trib query</c> and <c>trib show</c> while the server owns it.</summary>
/// <param name="Sql">One statement; assets are tables named by their ids.</param>
/// <param name="Limit">Rows to return at most; when absent, every row up to the server's cap of 100,000 (the answer says when it cut).</param>
/// <param name="Write">
/// False (the default): the statement must be one the engine judges read-only (DuckDB: a SELECT, DESCRIBE, SHOW, SUMMARIZE
/// or table PRAGMA; PostgreSQL: anything, in a READ ONLY transaction), and it is stopped after 30 s. True: it may change
/// tables (INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, ALTER), without a time limit, but never reach files, extensions or
/// settings (DuckDB: COPY, EXPORT, ATTACH, INSTALL, LOAD, SET and PRAGMA are refused by the statement's type); <c>trib query</c> sends it.
/// </param>
public sealed record QuerySubmission(string Sql, int? Limit = null, bool Write = false);
