using BenchmarkDotNet.Running;

// Run all benchmarks:      dotnet run -c Release --project tests/Guardrails.Benchmarks -- --filter '*'
// Run one class:           dotnet run -c Release --project tests/Guardrails.Benchmarks -- --filter '*DecisionBenchmarks*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
