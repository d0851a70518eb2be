namespace Tributary.Core.Diagnostics;

/// <summary>The stable codes of pipeline diagnostics. Codes never change meaning once released.</summary>
public static class DiagnosticCodes
{
    /// <summary>The file is not valid YAML.</summary>
    public const string MalformedYaml = "TRIB0001";
    /// <summary>The file could not be read.</summary>
    public const string UnreadableFile = "TRIB0002";
    /// <summary>The file is beyond a loader limit: its size, its nesting depth or its number of values.</summary>
    public const string TooLarge = "TRIB0003";
    /// <summary>A key the format does not know.</summary>
    public const string UnknownKey = "TRIB0100";
    /// <summary>A required key is missing.</summary>
    public const string MissingKey = "TRIB0101";
    /// <summary>A component parameter the component does not have.</summary>
    public const string UnknownParameter = "TRIB0102";
    /// <summary>A value of the wrong type.</summary>
    public const string WrongType = "TRIB0103";
    /// <summary>A number outside its allowed range.</summary>
    public const string OutOfRange = "TRIB0104";
    /// <summary>A value that is not one of the allowed values.</summary>
    public const string NotAllowed = "TRIB0105";
    /// <summary>A key given twice in one mapping.</summary>
    public const string DuplicateKey = "TRIB0106";
    /// <summary>A name that breaks the naming rule.</summary>
    public const string InvalidName = "TRIB0110";
    /// <summary>
    /// A file a component would write that it may not: outside the project folder and <c>allowed_paths</c>, or one of the
    /// project's control files (tributary.yaml, the pipelines folder, .tributary/).
    /// </summary>
    public const string ForbiddenPath = "TRIB0111";
    /// <summary>A component type the catalog does not have.</summary>
    public const string UnknownComponentType = "TRIB0200";
    /// <summary>Two components with the same id.</summary>
    public const string DuplicateId = "TRIB0201";
    /// <summary>An input that names no component.</summary>
    public const string UnknownInput = "TRIB0202";
    /// <summary>Inputs that form a cycle.</summary>
    public const string Cycle = "TRIB0203";
    /// <summary>An input table lacks a column the component needs.</summary>
    public const string MissingColumn = "TRIB0204";
    /// <summary>An input the component expects is not given, or too many are.</summary>
    public const string InputCount = "TRIB0205";
    /// <summary>A component writes a table that another component of the pipeline owns.</summary>
    public const string TableConflict = "TRIB0206";
    /// <summary>A check names an output its component does not declare.</summary>
    public const string UnknownOutput = "TRIB0207";
    /// <summary>A component that lists the same input twice.</summary>
    public const string DuplicateInput = "TRIB0208";
    /// <summary>A warning: two pipelines of a project define one asset (one table) differently.</summary>
    public const string SharedAssetDefinedTwice = "TRIB0209";
    /// <summary>A project's pipeline file whose <c>pipeline:</c> name is not its file name, by which the project knows it.</summary>
    public const string NameNotFileName = "TRIB0210";
    /// <summary>Two files of a project that declare one pipeline name.</summary>
    public const string DuplicatePipeline = "TRIB0211";
    /// <summary>An SQL step's query that does not run on its inputs' columns (a misspelt column or function), found before any run.</summary>
    public const string SqlDoesNotRun = "TRIB0212";
    /// <summary>An audience file of raw contact data (csv, parquet) written to the folder of hashed ad-platform files, whose uploader would send it too.</summary>
    public const string RawAudienceBesideHashed = "TRIB0213";
    /// <summary>A <c>${param.NAME}</c> with no such param.</summary>
    public const string UndefinedParam = "TRIB0300";
    /// <summary>A <c>${env.NAME}</c> whose variable is not set.</summary>
    public const string UndefinedEnv = "TRIB0301";
    /// <summary>A <c>${...}</c> that is not a param or env reference.</summary>
    public const string BadSubstitution = "TRIB0302";
    /// <summary>A <c>${env.NAME}</c>, <c>*_env</c> setting or <c>webhook_url_env</c> naming one of Tributary's own variables (<see cref="Loading.ReservedVariables"/>).</summary>
    public const string ReservedEnv = "TRIB0303";
    /// <summary>A warning: <c>on_failure</c>'s variable holds something that is not an absolute http(s) URL, so no alert could be sent.</summary>
    public const string BadAlertUrl = "TRIB0304";
    /// <summary>A cron expression that does not parse.</summary>
    public const string BadCron = "TRIB0400";
    /// <summary>An unknown IANA timezone.</summary>
    public const string BadTimezone = "TRIB0401";
    /// <summary>A date, time or duration that does not parse.</summary>
    public const string BadTime = "TRIB0402";
    /// <summary>The validator itself failed on the file: a bug in Tributary, not a mistake in the file.</summary>
    public const string InternalError = "TRIB0999";
}
