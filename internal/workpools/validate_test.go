package workpools

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	type want struct {
		path    string // joined with "/"
		unknown bool
		msgPart string
	}
	cases := []struct {
		name string
		typ  string
		vars map[string]any
		want []want
	}{
		{"k8s cpu is unknown", "kubernetes", map[string]any{"cpu": 2}, []want{{"cpu", true, "not a job variable of kubernetes"}}},
		{"k8s resource vars fine", "kubernetes", map[string]any{"cpu_request": "500m", "memory_limit": "2Gi", "namespace": "prod"}, nil},
		{"ecs cpu string", "ecs", map[string]any{"cpu": "1 vCPU"}, []want{{"cpu", false, `expects an integer or a {{ placeholder }}, got the string "1 vCPU"`}}},
		{"ecs cpu int", "ecs", map[string]any{"cpu": 1024, "memory": 2048}, nil},
		{"ecs cpu float that is whole", "ecs", map[string]any{"cpu": float64(1024)}, nil},
		{"ecs cpu fraction", "ecs", map[string]any{"cpu": 0.5}, []want{{"cpu", false, "expects an integer"}}},
		{"ecs launch type enum", "ecs", map[string]any{"launch_type": "LAMBDA"}, []want{{"launch_type", false, "expects one of FARGATE, EC2, EXTERNAL, FARGATE_SPOT"}}},
		{"env values must be strings", "docker", map[string]any{"env": map[string]any{"PORT": 8080, "DEBUG": true, "NAME": "x"}},
			[]want{{"env/DEBUG", false, "expects string, got boolean"}, {"env/PORT", false, "expects string, got integer"}}},
		{"env string values fine", "process", map[string]any{"env": map[string]any{"PORT": "8080"}}, nil},
		{"env placeholder", "process", map[string]any{"env": "{{ prefect.variables.env }}"}, nil},
		{"env list wrong", "process", map[string]any{"env": []any{"A=1"}}, []want{{"env", false, "expects an object"}}},
		{"dotted env key", "kubernetes", map[string]any{"env.EXTRA": "1", "labels.team": "data"}, nil},
		{"dotted env key non-string", "kubernetes", map[string]any{"env.PORT": 8080}, []want{{"env.PORT", false, "expects string, got integer"}}},
		{"dotted unknown prefix", "kubernetes", map[string]any{"envs.PORT": "1"}, []want{{"envs.PORT", true, "not a job variable"}}},
		{"dotted object var", "ecs", map[string]any{"network_configuration.awsvpcConfiguration": map[string]any{"assignPublicIp": "ENABLED"}}, nil},
		{"dotted on string var", "ecs", map[string]any{"image.tag": "x"}, []want{{"image.tag", true, "not a job variable"}}},
		{"placeholders accepted for non-strings", "ecs", map[string]any{
			"cpu": "{{ $ECS_CPU }}", "memory": "{{prefect.variables.mem}}", "aws_credentials": "{{ prefect.blocks.aws-credentials.prod }}",
			"stream_output": "{{ stream }}", "launch_type": "{{ build-image.launch_type }}", "capacity_provider_strategy": []any{"{{ x }}"},
		}, nil},
		{"block as reference object", "ecs", map[string]any{"aws_credentials": map[string]any{"$ref": map[string]any{"block_document_id": "abc"}}}, nil},
		{"block as plain string", "ecs", map[string]any{"aws_credentials": "prod"}, []want{{"aws_credentials", false, "AwsCredentials block"}}},
		{"inline placeholder is not a whole-value placeholder", "ecs", map[string]any{"cpu": "{{ $CPU }}0"}, []want{{"cpu", false, "expects an integer"}}},
		{"null keeps default", "kubernetes", map[string]any{"image": nil, "pod_watch_timeout_seconds": nil}, nil},
		{"cloud-run cpu pattern", "cloud-run", map[string]any{"cpu": "1"}, []want{{"cpu", false, "expects a string matching"}}},
		{"cloud-run cpu ok", "cloud-run", map[string]any{"cpu": "2000m", "memory": "1Gi"}, nil},
		{"cloud-run timeout maximum", "cloud-run", map[string]any{"timeout": 7200}, []want{{"timeout", false, "maximum"}}},
		{"process image unknown", "process", map[string]any{"image": "python:3.12"}, []want{{"image", true, ""}}},
		{"managed pip packages", "prefect:managed", map[string]any{"pip_packages": []any{"pandas", "prefect-aws"}}, nil},
		{"managed pip packages as string", "prefect:managed", map[string]any{"pip_packages": "pandas"}, []want{{"pip_packages", false, "expects an array"}}},
		{"volumes items strings", "docker", map[string]any{"volumes": []any{"/a:/b", 3}}, []want{{"volumes/1", false, "expects string, got integer"}}},
		{"several problems sorted", "kubernetes", map[string]any{"cpu": "1", "memory": "1Gi", "namespace": 3},
			[]want{{"cpu", true, ""}, {"memory", true, ""}, {"namespace", false, "expects a string"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			probs, err := Validate(c.typ, c.vars)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, p := range probs {
				got = append(got, want{strings.Join(p.Path, "/"), p.Unknown, p.Message})
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems %+v, want %+v", len(got), got, c.want)
			}
			for i := range got {
				if got[i].path != c.want[i].path || got[i].unknown != c.want[i].unknown || !strings.Contains(got[i].msgPart, c.want[i].msgPart) {
					t.Errorf("problem %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestValidateUnknownType(t *testing.T) {
	if _, err := Validate("nope", map[string]any{}); err == nil {
		t.Fatal("want error for unknown type")
	}
}

func TestValidateIsDeterministic(t *testing.T) {
	vars := map[string]any{"cpu": "1", "memory": "1Gi", "a": 1, "b": 2, "namespace": 3, "env": map[string]any{"X": 1, "Y": 2}}
	first, _ := Validate("kubernetes", vars)
	for i := 0; i < 20; i++ {
		again, _ := Validate("kubernetes", vars)
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("run %d differs:\n%v\n%v", i, first, again)
		}
	}
}

// TestValidateOddValuesDoNotPanic feeds values a careless caller might pass.
func TestValidateOddValuesDoNotPanic(t *testing.T) {
	odd := []any{struct{}{}, map[any]any{"a": 1}, []string{"x"}, map[string]string{"A": "1"}, float64(1e300), -0.0}
	for _, v := range odd {
		for _, key := range []string{"cpu", "env", "volumes", "unknown", "env.X"} {
			probs, err := Validate("docker", map[string]any{key: v})
			_ = probs
			_ = err
		}
	}
}

func FuzzSuggestAndInfer(f *testing.F) {
	f.Add("kubernetes", "cpu")
	f.Add("ecs", "env.FOO.BAR")
	f.Add("process", "")
	f.Add("docker", ".")
	f.Fuzz(func(t *testing.T, typ, key string) {
		SuggestVariable(typ, key)
		Infer([]string{key, typ})
		if _, ok := Lookup(typ); ok {
			if _, err := Validate(typ, map[string]any{key: key}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	vars := map[string]any{"image": "repo/img:1", "cpu": 1024, "memory": "2 GB", "env": map[string]any{"A": "1", "B": 2}, "cpus": 2}
	if _, err := Schema("ecs"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Validate("ecs", vars); err != nil {
			b.Fatal(err)
		}
	}
}
