namespace Tributary.Core.Warehousing;

/// <summary>Text encodings a source file may declare. A byte order mark in the file wins over the declaration.</summary>
public enum TextEncoding
{
    /// <summary>UTF-8, the default; invalid bytes are an error, never replaced.</summary>
    Utf8,
    /// <summary>UTF-16 (little-endian unless a byte order mark says otherwise).</summary>
    Utf16,
    /// <summary>ISO-8859-1 (latin-1).</summary>
    Latin1,
    /// <summary>Windows-1252, the Western European code page of Excel exports.</summary>
    Windows1252,
}
