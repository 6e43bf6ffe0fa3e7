package steps

// Facts below were checked against PrefectHQ/prefect at the commit named in
// prefect.md (src/prefect/deployments/steps/{pull,utility}.py and
// src/integrations/prefect-*/prefect_*/deployments/steps.py) and against
// release tags for the Since versions.

const (
	modCore    = "prefect.deployments.steps"
	modPull    = "prefect.deployments.steps.pull"
	modUtility = "prefect.deployments.steps.utility"
	modDocker  = "prefect_docker.deployments.steps"
	modAWS     = "prefect_aws.deployments.steps"
	modGCP     = "prefect_gcp.deployments.steps"
	modAzure   = "prefect_azure.deployments.steps"
)

// knownModules are the current modules that define or re-export steps.
// prefect.deployments.steps.core holds the runner, not steps, but it is part
// of prefect's step package, so a name there is a mistake too.
var knownModules = map[string]struct{}{
	modCore:                          {},
	modPull:                          {},
	modUtility:                       {},
	"prefect.deployments.steps.core": {},
	modDocker:                        {},
	modAWS:                           {},
	modGCP:                           {},
	modAzure:                         {},
}

// removedModules map the 2.10.0–2.10.13 "projects" modules to their
// successors.
var removedModules = map[string]string{
	"prefect.projects.steps":        modCore,
	"prefect_docker.projects.steps": modDocker,
	"prefect_aws.projects.steps":    modAWS,
	"prefect_gcp.projects.steps":    modGCP,
	"prefect_azure.projects.steps":  modAzure,
}

const (
	projectsNote  = "The prefect.projects module existed only in Prefect 2.10.0–2.10.13; it was renamed to prefect.deployments in 2.10.14 and does not exist in 3.x."
	integProjNote = "The integration's projects.steps module was replaced by deployments.steps when Prefect renamed projects to deployments (2.10.14); it does not exist in current releases."
)

var removedSteps = []RemovedStep{
	{"prefect.projects.steps.git_clone_project", modCore + ".git_clone", projectsNote},
	{"prefect.projects.steps.set_working_directory", modCore + ".set_working_directory", projectsNote},
	{"prefect.projects.steps.run_shell_script", modCore + ".run_shell_script", projectsNote},
	{"prefect.projects.steps.pip_install_requirements", modCore + ".pip_install_requirements", projectsNote},
	{"prefect.deployments.steps.git_clone_project", modCore + ".git_clone",
		"git_clone_project was a deprecated alias of git_clone on Prefect 2.x (deprecated June 2023) and was removed in 3.0."},
	{"prefect.deployments.steps.pull.git_clone_project", modCore + ".git_clone",
		"git_clone_project was a deprecated alias of git_clone on Prefect 2.x (deprecated June 2023) and was removed in 3.0."},
	{"prefect_docker.projects.steps.build_docker_image", modDocker + ".build_docker_image", integProjNote},
	{"prefect_docker.projects.steps.push_docker_image", modDocker + ".push_docker_image", integProjNote},
	{"prefect_aws.projects.steps.push_project_to_s3", modAWS + ".push_to_s3", integProjNote},
	{"prefect_aws.projects.steps.pull_project_from_s3", modAWS + ".pull_from_s3", integProjNote},
	{"prefect_gcp.projects.steps.push_project_to_gcs", modGCP + ".push_to_gcs", integProjNote},
	{"prefect_gcp.projects.steps.pull_project_from_gcs", modGCP + ".pull_from_gcs", integProjNote},
	{"prefect_azure.projects.steps.push_project_to_azure_blob_storage", modAzure + ".push_to_azure_blob_storage", integProjNote},
	{"prefect_azure.projects.steps.pull_project_from_azure_blob_storage", modAzure + ".pull_from_azure_blob_storage", integProjNote},
}

var (
	outDirectoryRel = Output{"directory", "Directory the code was placed in, relative to the working directory."}
	outStdout       = Output{"stdout", "Captured standard output, with surrounding whitespace stripped."}
	outStderr       = Output{"stderr", "Captured standard error, with surrounding whitespace stripped."}
	outBucket       = Output{"bucket", "The bucket name that was given."}
	outFolder       = Output{"folder", "The folder that was given."}
	outContainer    = Output{"container", "The container name that was given."}
	outPullDir      = Output{"directory", "The local directory the files were downloaded into (the working directory)."}

	paramIgnoreFile = Param{Name: "ignore_file", Type: "string", Default: ".prefectignore",
		Description: "File of gitignore-style patterns to leave out of the upload; skipped when the file does not exist."}
)

func storageParams(container, credentials Param, extra ...Param) []Param {
	ps := []Param{container,
		{Name: "folder", Type: "string", Required: true, Description: "Folder (key prefix) in the bucket or container."},
	}
	ps = append(ps, extra...)
	return append(ps, credentials)
}

var (
	s3Bucket  = Param{Name: "bucket", Type: "string", Required: true, Description: "Name of the S3 bucket."}
	s3Creds   = Param{Name: "credentials", Type: "object", Description: "AWS credentials (aws_access_key_id, aws_secret_access_key, aws_session_token) or MinIO credentials, usually `{{ prefect.blocks.aws-credentials.<name> }}`; the default boto3 chain when unset."}
	s3Client  = Param{Name: "client_parameters", Type: "object", Description: "Extra keyword arguments for the boto3 client, such as endpoint_url or region_name."}
	gcsBucket = Param{Name: "bucket", Type: "string", Required: true, Description: "Name of the GCS bucket."}
	gcsProj   = Param{Name: "project", Type: "string", Description: "GCP project of the bucket; inferred from the credentials or environment when unset."}
	gcsCreds  = Param{Name: "credentials", Type: "object", Description: "Service account info and project, usually `{{ prefect.blocks.gcp-credentials.<name> }}`; application default credentials when unset."}
	azCont    = Param{Name: "container", Type: "string", Required: true, Description: "Name of the Azure Blob Storage container."}
	azCreds   = Param{Name: "credentials", Type: "object", Required: true, Description: "Mapping with `connection_string` or `account_url` (plus optional tenant_id/client_id/client_secret), usually `{{ prefect.blocks.azure-blob-storage-credentials.<name> }}`."}
)

var catalog = []*Step{
	{
		// agit_clone (the async form, importable since 3.1.7) takes the same
		// arguments; it is listed as an alias so it is not reported unknown.
		Short: "git_clone", Module: modCore, Aliases: []string{modPull + ".git_clone", modPull + ".agit_clone"},
		Summary: "Clones a git repository into the working directory.",
		Since:   "2.10.14", Action: "pull", Kind: KindGit,
		Params: []Param{
			{Name: "repository", Type: "string", Required: true, Description: "URL of the repository to clone."},
			{Name: "branch", Type: "string", Description: "Branch to clone; the repository's default branch when unset."},
			{Name: "commit_sha", Type: "string", Since: "3.4.0", Description: "Commit to check out; the default branch head when unset."},
			{Name: "include_submodules", Type: "boolean", Default: false, Description: "Also clone git submodules."},
			{Name: "access_token", Type: "string", Description: "Token for a private repository, usually `{{ prefect.blocks.secret.<name> }}`; do not combine with credentials."},
			{Name: "credentials", Type: "block", Since: "2.10.19", Description: "GitHub, GitLab or BitBucket credentials block, e.g. `{{ prefect.blocks.github-credentials.<name> }}`; do not combine with access_token."},
			{Name: "directories", Type: "array", Elem: "string", Since: "3.1.11", Description: "Directories to check out with git sparse-checkout; the whole tree when unset."},
			{Name: "clone_directory_name", Type: "string", Since: "3.6.9", Description: "Name of the local directory to clone into; derived from the repository URL and branch when unset."},
		},
		Outputs: []Output{{"directory", "Directory the repository was cloned into, relative to the working directory."}},
	},
	{
		Short: "set_working_directory", Module: modCore, Aliases: []string{modPull + ".set_working_directory"},
		Summary: "Changes the working directory of the flow run.",
		Since:   "2.10.14", Action: "pull", Kind: KindLocalDir,
		Params: []Param{
			{Name: "directory", Type: "string", Required: true, Description: "Directory to change into; it must exist where the flow runs."},
		},
		Outputs: []Output{{"directory", "Absolute path of the new working directory (Prefect 2.x returned the input unchanged)."}},
	},
	{
		Short: "pull_from_remote_storage", Module: modCore, Aliases: []string{modPull + ".pull_from_remote_storage"},
		Summary: "Copies code from an fsspec URL (s3://, gs://, az://, …) into the working directory.",
		Since:   "2.14.3", Action: "pull", Kind: KindStorage,
		Params: []Param{
			{Name: "url", Type: "string", Required: true, Description: "fsspec URL of the remote folder; some protocols need an extra fsspec package."},
		},
		AcceptsExtraKwargs: true,
		ExtraKwargsNote:    "Other keys are passed to the fsspec filesystem (e.g. key, secret).",
		Outputs:            []Output{outDirectoryRel},
	},
	{
		Short: "pull_with_block", Module: modCore, Aliases: []string{modPull + ".pull_with_block"},
		Summary: "Pulls code with a saved storage block.",
		Since:   "2.14.5", Action: "pull", Kind: KindBlock,
		Params: []Param{
			{Name: "block_document_name", Type: "string", Required: true, Description: "Name of the block document."},
			{Name: "block_type_slug", Type: "string", Required: true, Description: "Slug of the block type, e.g. s3-bucket."},
		},
		Outputs: []Output{outDirectoryRel},
	},
	{
		Short: "run_shell_script", Module: modCore, Aliases: []string{modUtility + ".run_shell_script"},
		Summary: "Runs commands, one per line, in a subprocess and captures their output.",
		Since:   "2.10.14", Action: "build", Kind: KindShell,
		Params: []Param{
			{Name: "script", Type: "string", Required: true, Description: "Commands to run, one per line; without shell: true each line is split with shlex and run without a shell."},
			{Name: "directory", Type: "string", Description: "Directory to run in; the working directory when unset."},
			{Name: "env", Type: "object", Elem: "string", Description: "Environment variables to add for the commands (string values)."},
			{Name: "stream_output", Type: "boolean", Default: true, Description: "Also stream the output to the console."},
			{Name: "expand_env_vars", Type: "boolean", Default: false, Since: "2.11.3", Description: "Expand $VARS in the script before running it."},
			{Name: "shell", Type: "boolean", Default: false, Since: "3.6.23", Description: "Run each line through the system shell, so pipes, redirects and && work."},
		},
		Outputs: []Output{outStdout, outStderr},
	},
	{
		Short: "pip_install_requirements", Module: modCore, Aliases: []string{modUtility + ".pip_install_requirements"},
		Summary: "Runs pip install -r on a requirements file.",
		Since:   "2.10.14", Action: "pull", Kind: KindShell,
		Params: []Param{
			{Name: "directory", Type: "string", Description: "Directory to run pip in; the working directory when unset."},
			{Name: "requirements_file", Type: "string", Default: "requirements.txt", Description: "Requirements file, relative to directory."},
			{Name: "stream_output", Type: "boolean", Default: true, Description: "Also stream pip's output to the console."},
		},
		Outputs: []Output{outStdout, outStderr},
	},
	{
		Short: "build_docker_image", Module: modDocker, Requires: "prefect-docker",
		Summary: "Builds a Docker image for the deployment.",
		Action:  "build", Kind: KindDockerBuild,
		Params: []Param{
			{Name: "image_name", Type: "string", Required: true, Description: "Image name including registry and repository; no whitespace."},
			{Name: "dockerfile", Type: "string", Default: "Dockerfile", Description: "Path to the Dockerfile, or `auto` to generate one (fails if a Dockerfile already exists)."},
			{Name: "tag", Type: "string", Description: "Tag for the image; a slugified UTC timestamp when unset."},
			{Name: "additional_tags", Type: "array", Elem: "string", Description: "More tags to apply to the built image."},
			{Name: "ignore_cache", Type: "boolean", Default: false, Since: "0.6.0", Description: "Rebuild even if this step already ran with the same inputs in this process (Prefect's step cache, not Docker's)."},
			{Name: "persist_dockerfile", Type: "boolean", Default: false, Since: "0.6.5", Description: "With dockerfile: auto, keep the generated Dockerfile."},
			{Name: "dockerfile_output_path", Type: "string", Default: "Dockerfile.generated", Since: "0.6.5", Description: "Where persist_dockerfile saves the generated Dockerfile."},
			{Name: "build_backend", Type: "string", Default: "docker-py", Enum: []string{"docker-py", "buildx"}, Since: "0.7.2", Description: "Build with docker-py or with buildx (python-on-whales)."},
		},
		AcceptsExtraKwargs: true,
		ExtraKwargsNote:    "Other keys go to the build backend: docker-py's build() (platform, buildargs, nocache, pull, path, …) or buildx (secrets, ssh, cache_from, cache_to, platforms, push).",
		Outputs: []Output{
			{"image_name", "Full image name, with the default namespace applied."},
			{"tag", "Tag of the built image."},
			{"image", "image_name:tag, ready for job_variables.image."},
			{"image_id", "ID of the built image."},
			{"additional_tags", "The additional tags applied (a list)."},
		},
	},
	{
		Short: "push_docker_image", Module: modDocker, Requires: "prefect-docker",
		Summary: "Pushes a Docker image to a registry.",
		Action:  "push", Kind: KindDockerPush,
		Params: []Param{
			{Name: "image_name", Type: "string", Required: true, Description: "Image name including registry and repository; usually `{{ build-image.image_name }}`."},
			{Name: "tag", Type: "string", Description: "Tag to push; usually `{{ build-image.tag }}`."},
			{Name: "credentials", Type: "object", Description: "Registry username, password and registry_url, usually `{{ prefect.blocks.docker-registry-credentials.<name> }}`."},
			{Name: "additional_tags", Type: "array", Elem: "string", Description: "More tags to push; usually `{{ build-image.additional_tags }}`."},
			{Name: "ignore_cache", Type: "boolean", Default: false, Since: "0.6.0", Description: "Push even if this step already ran with the same inputs in this process."},
			{Name: "build_backend", Type: "string", Default: "docker-py", Enum: []string{"docker-py", "buildx"}, Since: "0.7.2", Description: "Push with docker-py or with buildx (python-on-whales)."},
		},
		Outputs: []Output{
			{"image_name", "Full image name, with the default namespace applied."},
			{"tag", "Tag that was pushed."},
			{"image", "image_name:tag."},
			{"additional_tags", "The additional tags pushed (a list)."},
		},
	},
	{
		Short: "push_to_s3", Module: modAWS, Requires: "prefect-aws",
		Summary: "Uploads the working directory to an S3 bucket folder.",
		Action:  "push", Kind: KindStorage,
		Params:  append(storageParams(s3Bucket, s3Creds), s3Client, paramIgnoreFile),
		Outputs: []Output{outBucket, outFolder},
	},
	{
		Short: "pull_from_s3", Module: modAWS, Requires: "prefect-aws",
		Summary: "Downloads an S3 bucket folder into the working directory.",
		Action:  "pull", Kind: KindStorage,
		Params:  append(storageParams(s3Bucket, s3Creds), s3Client),
		Outputs: []Output{outBucket, outFolder, outPullDir},
	},
	{
		Short: "push_to_gcs", Module: modGCP, Requires: "prefect-gcp",
		Summary: "Uploads the working directory to a GCS bucket folder.",
		Action:  "push", Kind: KindStorage,
		Params:  append(storageParams(gcsBucket, gcsCreds, gcsProj), paramIgnoreFile),
		Outputs: []Output{outBucket, outFolder},
	},
	{
		Short: "pull_from_gcs", Module: modGCP, Requires: "prefect-gcp",
		Summary: "Downloads a GCS bucket folder into the working directory.",
		Action:  "pull", Kind: KindStorage,
		Params:  storageParams(gcsBucket, gcsCreds, gcsProj),
		Outputs: []Output{outBucket, outFolder, outPullDir},
	},
	{
		Short: "push_to_azure_blob_storage", Module: modAzure, Requires: "prefect-azure",
		Summary: "Uploads the working directory to an Azure Blob Storage container folder.",
		Action:  "push", Kind: KindStorage,
		Params:  append(storageParams(azCont, azCreds), paramIgnoreFile),
		Outputs: []Output{outContainer, outFolder},
	},
	{
		Short: "pull_from_azure_blob_storage", Module: modAzure, Requires: "prefect-azure",
		Summary: "Downloads an Azure Blob Storage container folder into the working directory.",
		Action:  "pull", Kind: KindStorage,
		Params:  storageParams(azCont, azCreds),
		Outputs: []Output{outContainer, outFolder, outPullDir},
	},
}
