namespace Tributary.Server.Contracts;

/// <summary>SQL to run on the warehouse (<c>POST /api/query</c>), for <c>trib query</c> and <c>trib show</c> while the server owns it.</summary>
/// <param name="Sql">The statement; assets are tables named by their ids.</param>
/// <param name="Limit">Rows to return at most; when absent, every row up to the server's cap of 100,000 (the answer says when it cut).</param>
public sealed record QuerySubmission(string Sql, int? Limit = null);
