using Tributary.Engine.Orchestration;

namespace Tributary.Engine.Runs;

/// <summary>A project's one store: the run history and the daemon's state together, so a run and the queue entry that launched it are read side by side.</summary>
public interface IProjectRunStore : IRunStore, IOrchestrationStore;
