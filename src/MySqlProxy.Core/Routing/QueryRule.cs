using System.Text.RegularExpressions;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Routing;

/// <summary>One compiled query rule.</summary>
internal sealed record QueryRule(int Index, Regex? Pattern, ulong? DigestHash, string? User, string? Schema, HintTarget Target, string? Backend, RuleOptions Source);
