// Package rules holds every prefect-lsp rule and the one explicit list of
// them (All). Each rule is a value in the file of its family (yaml.go,
// schema.go, schedules.go, steps.go, templating.go, workpools.go, flows.go,
// guidance.go); its docs page docs/rules/<id>.md is generated from the value
// (go test ./internal/analysis/rules -update-docs), and its golden tests live
// in testdata/<id>/.
package rules

import "github.com/prefect-lsp/prefect-lsp/internal/analysis"

// All returns every rule, in a stable order.
func All() []*analysis.Rule {
	return []*analysis.Rule{
		// YAML as Prefect reads it.
		YAMLSyntax,
		YAMLLoad,
		DuplicateKey,
		YAML11Scalar,
		UnquotedPlaceholder,
		FileTooLarge,
		ConfigError,
		StringExpected,
		TrailingComma,

		// Structure: prefect.yaml's model.
		NotAMapping,
		UnknownKey,
		WrongType,
		InvalidValue,
		MissingName,
		MissingEntrypoint,
		DuplicateDeploymentName,

		// Schedules and concurrency (schedules.go).
		ScheduleSelector,
		InvalidCron,
		InvalidInterval,
		InvalidRRule,
		InvalidTimezone,
		UnquotedAnchorDate,
		InvalidAnchorDate,
		ScheduleAndSchedules,
		LegacySchedule,
		SchedulesNotRemoved,
		ConcurrencyLimit,
		// -- schedules: add rules above this line --

		// Steps and templating (steps.go, templating.go).
		StepIndentation,
		UnknownStep,
		RemovedStep,
		MissingRequires,
		MissingStepArgument,
		UnknownStepArgument,
		StepArgumentType,
		DuplicateStepID,
		GitCloneCredentials,
		ShellOperators,
		DockerfileAutoExists,
		SingleStepMapping,
		UnknownStepOutput,
		NotAPlaceholder,
		BadBlockReference,
		BadVariableReference,
		InlineBlockMapping,
		BlockInJobVariables,
		// -- steps: add rules above this line --

		// Work pools and the serve / worker / push guidance (workpools.go, guidance.go).
		CodeUnreachable,
		ImageNotPushed,
		LocalWorkingDirectory,
		UnknownJobVariable,
		JobVariableType,
		ImageOnProcessPool,
		WorkQueueOnPushPool,
		ManagedPoolConstraints,
		CloudOnlyPool,
		AgentPool,
		MissingWorkPool,
		FlowAlreadyServed,
		SimplerDeploymentOption,
		// -- workpools: add rules above this line --

		// Flow code: entrypoints and parameters (flows.go).
		EntrypointFormat,
		EntrypointFileNotFound,
		EntrypointFunctionNotFound,
		EntrypointNotAFlow,
		FlowNameMismatch,
		UnknownParameter,
		MissingRequiredParameter,
		ParameterType,
		// -- flows: add rules above this line --
	}
}

// ByID returns the rule with the given id.
func ByID(id string) *analysis.Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	return nil
}
