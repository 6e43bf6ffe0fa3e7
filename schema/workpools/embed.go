// Package workpools embeds prefect-lsp's own JSON Schemas (draft 2020-12) for
// the job_variables of each Prefect work-pool type, one file per type named
// after the type with ':' replaced by '_' (ecs:push -> ecs_push.json).
//
// The files are the single source of truth for job variables: the catalogue in
// internal/workpools reads names, types, defaults, enums and descriptions from
// them. Besides standard keywords they carry annotations of our own:
//
//   - x-aliases (on a property): words users write when they mean this
//     variable (kubernetes cpu -> cpu_request/cpu_limit); used for did-you-mean.
//   - x-block-type (on a property): the Prefect block type the variable takes.
//   - x-newer (on a property): present in the worker's source but not in the
//     server's bundled aggregate-worker-metadata.json (newer integration releases).
//   - x-pool-required (top level): variables the pool must end up with; Prefect
//     only enforces them when a flow run is created, so a deployment may omit
//     them when the pool sets them.
//   - x-variables-complete (top level): false when the pool's base job template
//     lives in Prefect Cloud or is otherwise unpublished, so the variable list is
//     a best effort and unknown keys deserve a softer finding.
package workpools

import "embed"

// FS holds every <type>.json schema in this directory.
//
//go:embed *.json
var FS embed.FS
