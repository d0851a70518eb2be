using Tributary.Cli;

return await TribApp.RunAsync(args, Console.Out, Console.Error, TimeProvider.System);
