using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Tributary.Components.Tests")]
[assembly: InternalsVisibleTo("Tributary.Bench")]
