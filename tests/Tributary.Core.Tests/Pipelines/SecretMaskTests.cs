using Tributary.Core.Pipelines;

namespace Tributary.Core.Tests.Pipelines;

public sealed class SecretMaskTests
{
    [Fact]
    public void Apply_NoSecrets_ReturnsTheTextAsIs()
    {
        Assert.Equal("Could not convert string 'x' to INT32", new SecretMask().Apply("Could not convert string 'x' to INT32"));
    }

    [Fact]
    public void Apply_ValueInAnError_IsReplacedByTheVariablesName()
    {
        var mask = new SecretMask();
        mask.Add("FAKE_AWS_SECRET", "AKIA-FAKE-SECRET-VALUE");

        Assert.Equal("Conversion Error: Could not convert string '<env FAKE_AWS_SECRET>' to INT32 (and again: <env FAKE_AWS_SECRET>)",
            mask.Apply("Conversion Error: Could not convert string 'AKIA-FAKE-SECRET-VALUE' to INT32 (and again: AKIA-FAKE-SECRET-VALUE)"));
    }

    // "eu" or "1" in every message would garble it and protect nothing; 4 characters and more are masked.
    [Fact]
    public void Apply_ValueShorterThanFourCharacters_IsLeft()
    {
        var mask = new SecretMask();
        mask.Add("REGION", "eu1");
        mask.Add("PIN", "abcd");

        Assert.Equal("region eu1, pin <env PIN>", mask.Apply("region eu1, pin abcd"));
    }

    [Fact]
    public void Apply_OneValueInsideAnother_MasksTheLongerWhole()
    {
        var mask = new SecretMask();
        mask.Add("USER", "shop");
        mask.Add("URL", "postgres://shop:pw@db/shop");

        Assert.Equal("cannot reach <env URL> as <env USER>", mask.Apply("cannot reach postgres://shop:pw@db/shop as shop"));
    }

    [Fact]
    public void Recording_ValueAComponentReads_IsMaskedFromThenOn()
    {
        var mask = new SecretMask();
        var environment = mask.Recording(n => n == "HMAC_SECRET" ? "s3cr3t-signing-key" : null);

        Assert.Equal("s3cr3t-signing-key", environment("HMAC_SECRET"));
        Assert.Null(environment("UNSET"));
        Assert.Equal("bad key <env HMAC_SECRET>", mask.Apply("bad key s3cr3t-signing-key"));
    }
}
