-- Unit tests for lua/prefect_lsp, run headless by test/selftest.sh:
--   nvim --headless -u NONE --cmd 'set rtp^=editors/nvim' -c 'luafile editors/nvim/test/unit.lua'
-- Prints one line per failure and a closing "N passed, N failed" line; exits non-zero on failure.
local prefect = require("prefect_lsp")
local uv = vim.loop or vim.uv

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    io.stderr:write("FAIL " .. name .. ": " .. tostring(err) .. "\n")
  end
end

local function eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error((what or "value") .. ": expected " .. vim.inspect(expected) .. ", got " .. vim.inspect(actual), 2)
  end
end

local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp, "p")
local function touch(path)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local f = assert(io.open(path, "w"))
  f:write("x\n")
  f:close()
end

test("is_prefect_file: names", function()
  eq(prefect.is_prefect_file("/a/b/prefect.yaml"), true)
  eq(prefect.is_prefect_file("/a/b/prefect.yml"), true)
  eq(prefect.is_prefect_file("/a/b/not-prefect.yaml"), false)
  eq(prefect.is_prefect_file("/a/b/prefect.yaml.bak"), false)
  eq(prefect.is_prefect_file("/a/prefect.yaml/values.yaml"), false)
  eq(prefect.is_prefect_file(""), false)
end)

test("imports_prefect", function()
  eq(prefect.imports_prefect({ "import os", "from prefect import flow" }), true)
  eq(prefect.imports_prefect({ "import prefect" }), true)
  eq(prefect.imports_prefect({ "import prefect.deployments as d" }), true)
  eq(prefect.imports_prefect({ "    from prefect.flows import Flow" }), true)
  eq(prefect.imports_prefect({ "import prefect_lsp_fake" }), false)
  eq(prefect.imports_prefect({ "# from prefect import flow", "x = 'import prefect'" }), false)
  eq(prefect.imports_prefect({}), false)
  eq(prefect.imports_prefect({ "import os, prefect" }), true)
  eq(prefect.imports_prefect({ "import os, prefectish" }), false)
  eq(prefect.imports_prefect({ "from prefect_aws import S3Bucket" }), false)
  eq(prefect.imports_prefect({ "from prefect.blocks.system import Secret" }), true)
  local path = vim.fn.tempname() .. ".py"
  vim.fn.writefile({ "import sys", "from prefect import flow" }, path)
  eq(prefect.file_imports_prefect(path), true)
  vim.fn.writefile({ "import sys" }, path)
  eq(prefect.file_imports_prefect(path), false)
  eq(prefect.file_imports_prefect(path .. ".missing"), false)
  os.remove(path)
end)

test("python option and setting", function()
  eq(prefect.resolve_options({}).python, true)
  eq(vim.tbl_contains(prefect.resolve_options({}).filetypes, "python"), true)
  local off = prefect.resolve_options({ python = false })
  eq(off.python, false)
  eq(off.settings["prefect-lsp"].python.enabled, false)
  eq(prefect.resolve_options({ settings = { python = { enabled = false } } }).python, false)
end)

test("is_prefect_file: user globs", function()
  local globs = { "deploy/*.yaml", "**/ci/prefect-*.{yaml,yml}" }
  eq(prefect.is_prefect_file("/p/deploy/prod.yaml", globs), true)
  eq(prefect.is_prefect_file("/p/deploy/nested/prod.yaml", globs), false)
  eq(prefect.is_prefect_file("/p/x/ci/prefect-dev.yml", globs), true)
  eq(prefect.is_prefect_file("/p/x/ci/other.yml", globs), false)
  eq(prefect.is_prefect_file("/p/other.yaml", { "", 3 }), false)
end)

test("glob_patterns: **, *, ?, sets and braces", function()
  local function m(path, glob)
    for _, p in ipairs(prefect.glob_patterns(glob)) do
      if path:match(p) then
        return true
      end
    end
    return false
  end
  eq(m("/a/b/c.yaml", "**/*.yaml"), true)
  eq(m("/a/b/c.yaml", "/a/*.yaml"), false)
  eq(m("/a/b/c.yaml", "/a/**/c.yaml"), true)
  eq(m("/a/c.yaml", "/a/**/c.yaml"), true)
  eq(m("/a/c.yml", "/a/c.{yaml,yml}"), true)
  eq(m("/a/c.json", "/a/c.{yaml,yml}"), false)
  eq(m("/a/c1.yaml", "/a/c?.yaml"), true)
  eq(m("/a/c12.yaml", "/a/c?.yaml"), false)
  eq(m("/a/cb.yaml", "/a/c[ab].yaml"), true)
  eq(m("/a/cb.yaml", "/a/c[!ab].yaml"), false)
  eq(m("/a/c-1+x%.yaml", "/a/c-1+x%.yaml"), true)
  eq(m("/a/cXyaml", "/a/c.yaml"), false)
  eq(m("/a/x/p-dev.yml", "**/x/p-{dev,prod}.{yaml,yml}"), true)
end)

test("normalize_glob", function()
  eq(prefect.normalize_glob("deploy/*.yaml"), "**/deploy/*.yaml")
  eq(prefect.normalize_glob("./deploy/*.yaml"), "**/deploy/*.yaml")
  eq(prefect.normalize_glob("**/x.yaml"), "**/x.yaml")
  eq(prefect.normalize_glob("/abs/x.yaml"), "/abs/x.yaml")
  eq(prefect.normalize_glob("  "), nil)
end)

test("find_root: nearest marker wins, else the file's folder", function()
  local root = tmp .. "/repo"
  touch(root .. "/.git/HEAD")
  touch(root .. "/svc/pyproject.toml")
  touch(root .. "/svc/flows/prefect.yaml")
  touch(root .. "/other/prefect.yaml")
  eq(prefect.find_root(root .. "/svc/flows/prefect.yaml"), root .. "/svc")
  eq(prefect.find_root(root .. "/other/prefect.yaml"), root)
  touch(root .. "/other/prefect-lsp.toml")
  eq(prefect.find_root(root .. "/other/prefect.yaml"), root .. "/other")
  local lone = tmp .. "/lone/deep/prefect.yaml"
  touch(lone)
  -- No marker up to / (tmp dirs are not inside a git checkout) -> the file's folder.
  eq(prefect.find_root(lone, { "no-such-marker-file" }), tmp .. "/lone/deep")
  eq(prefect.find_root(root .. "/svc/flows/prefect.yaml", { ".git" }), root)
end)

test("normalize_settings: bare and wrapped forms, empty maps stay maps", function()
  local wrapped = prefect.normalize_settings({ server = "cloud", rules = { a = "off" } })
  eq(wrapped["prefect-lsp"].server, "cloud")
  eq(wrapped["prefect-lsp"].rules, { a = "off" })
  eq(vim.fn.json_encode(wrapped["prefect-lsp"].workPools), "{}")
  eq(wrapped["prefect-lsp"].files, {})
  local same = prefect.normalize_settings({ ["prefect-lsp"] = { server = "self-hosted" } })
  eq(same["prefect-lsp"].server, "self-hosted")
  eq(vim.fn.json_encode(prefect.normalize_settings(nil)["prefect-lsp"].rules), "{}")
end)

test("resolve_options: defaults and string cmd", function()
  local o = prefect.resolve_options({})
  eq(o.cmd, { "prefect-lsp", "serve" })
  eq(o.filetypes, { "yaml", "python" })
  eq(o.root_markers, { "prefect-lsp.toml", "pyproject.toml", ".git" })
  eq(prefect.resolve_options({ cmd = "/x/prefect-lsp" }).cmd, { "/x/prefect-lsp", "serve" })
  eq(prefect.resolve_options({ settings = { files = { "a/*.yaml" } } }).globs, { "a/*.yaml" })
end)

test("client_config carries cmd, root, settings, on_attach and capabilities", function()
  local on_attach = function() end
  local o = prefect.resolve_options({ cmd = { "bin", "serve" }, on_attach = on_attach, settings = { server = "cloud" } })
  local c = prefect.client_config(o, "/root")
  eq(c.name, "prefect_lsp")
  eq(c.cmd, { "bin", "serve" })
  eq(c.root_dir, "/root")
  eq(c.settings["prefect-lsp"].server, "cloud")
  eq(c.on_attach, on_attach)
  eq(type(c.capabilities), "table")
  eq(c.workspace_folders[1].uri, "file:///root")
  -- The default workspace/configuration handler resolves "prefect-lsp" to the section table.
  local lookup = vim.lsp.util.lookup_section or function(s, k) return s[k] end
  eq(lookup(c.settings, "prefect-lsp").server, "cloud")
end)

test("native_config: root_dir gates on the file name", function()
  local o = prefect.resolve_options({ settings = { files = { "deploy/*.yaml" } } })
  local cfg = prefect.native_config(o)
  local function root_for(name)
    local buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
    local got
    cfg.root_dir(buf, function(dir)
      got = dir
    end)
    vim.api.nvim_buf_delete(buf, { force = true })
    return got
  end
  touch(tmp .. "/n/pyproject.toml")
  eq(root_for(tmp .. "/n/prefect.yaml"), tmp .. "/n")
  eq(root_for(tmp .. "/n/deploy/prod.yaml"), tmp .. "/n")
  eq(root_for(tmp .. "/n/values.yaml"), nil)
end)

-- Strategy selection, with the Neovim API stubbed (only 0.7 is available to run for real here).
local function with_stubs(stubs, fn)
  local saved = {}
  for k, v in pairs(stubs) do
    saved[k] = vim.lsp[k]
    rawset(vim.lsp, k, v)
  end
  local ok, err = pcall(fn)
  for k, _ in pairs(stubs) do
    rawset(vim.lsp, k, saved[k])
  end
  if not ok then
    error(err, 0)
  end
end

test("0.11 path: setup calls vim.lsp.config + vim.lsp.enable", function()
  local configured, enabled
  with_stubs({
    config = setmetatable({}, { __call = function(_, name, cfg) configured = { name, cfg } end }),
    enable = function(name) enabled = name end,
  }, function()
    eq(prefect.strategy(), "native")
    prefect.setup({ cmd = { "bin" , "serve" } })
  end)
  eq(configured[1], "prefect_lsp")
  eq(configured[2].cmd, { "bin", "serve" })
  eq(configured[2].filetypes, { "yaml", "python" })
  eq(type(configured[2].root_dir), "function")
  eq(enabled, "prefect_lsp")
end)

-- Runs fn with the 0.8-0.10 API (no vim.lsp.config/enable) and a vim.lsp.start that records its
-- calls in `started`.
local function with_start_stub(started, fn)
  with_stubs({
    config = false,
    enable = false,
    start = function(config, opts)
      table.insert(started, { config = config, opts = opts })
      return 42
    end,
  }, function()
    rawset(vim.lsp, "config", nil)
    rawset(vim.lsp, "enable", nil)
    fn()
  end)
end

test("0.8-0.10 path: FileType autocmd calls vim.lsp.start for prefect.yaml only", function()
  local started = {}
  touch(tmp .. "/s/prefect.yaml")
  touch(tmp .. "/s/values.yaml")
  vim.cmd("filetype on")
  with_start_stub(started, function()
    eq(prefect.strategy(), "start")
    prefect.setup({ cmd = { "bin", "serve" } })
    vim.cmd("edit " .. tmp .. "/s/values.yaml")
    vim.cmd("edit " .. tmp .. "/s/prefect.yaml")
  end)
  eq(#started, 1, "vim.lsp.start calls")
  eq(started[1].config.root_dir, tmp .. "/s")
  eq(started[1].opts.bufnr, vim.api.nvim_get_current_buf())
  vim.cmd("silent! %bwipeout!")
end)

test("0.8-0.10 path: Python files attach when they import prefect, also after the save adding it", function()
  local started = {}
  vim.fn.mkdir(tmp .. "/py", "p")
  vim.fn.writefile({ "from prefect import flow" }, tmp .. "/py/flows.py")
  vim.fn.writefile({ "import os" }, tmp .. "/py/later.py")
  vim.cmd("filetype on")
  with_start_stub(started, function()
    prefect.setup({ cmd = { "bin", "serve" } })
    vim.cmd("edit " .. tmp .. "/py/flows.py")
    eq(#started, 1, "vim.lsp.start calls after flows.py")
    vim.cmd("edit " .. tmp .. "/py/later.py")
    eq(#started, 1, "vim.lsp.start calls after later.py")
    vim.api.nvim_buf_set_lines(0, 0, 0, false, { "from prefect import flow" })
    vim.cmd("silent write")
    eq(#started, 2, "vim.lsp.start calls after saving later.py")
    vim.cmd("silent! %bwipeout!")
    for k in pairs(started) do started[k] = nil end
    prefect.setup({ cmd = { "bin", "serve" }, python = false })
    vim.cmd("edit " .. tmp .. "/py/flows.py")
    vim.cmd("silent write")
  end)
  eq(#started, 0, "vim.lsp.start calls with python = false")
  vim.cmd("silent! %bwipeout!")
end)

test("user commands are defined", function()
  eq(vim.fn.exists(":PrefectLspExplain"), 2)
  eq(vim.fn.exists(":PrefectLspRestart"), 2)
end)

test("lsp/prefect_lsp.lua and lspconfig config load and agree", function()
  local files = vim.api.nvim_get_runtime_file("lsp/prefect_lsp.lua", false)
  eq(#files, 1)
  local native = dofile(files[1])
  eq(native.cmd, { "bin", "serve" }) -- from the last setup() call
  local lc = require("lspconfig.configs.prefect_lsp")
  eq(lc.default_config.cmd, { "prefect-lsp", "serve" })
  eq(lc.default_config.single_file_support, false)
  touch(tmp .. "/lc/.git/HEAD")
  eq(lc.default_config.root_dir(tmp .. "/lc/prefect.yml"), tmp .. "/lc")
  eq(lc.default_config.root_dir(tmp .. "/lc/values.yaml"), nil)
  vim.g.prefect_lsp_files = { "deploy/*.yaml" }
  eq(lc.default_config.root_dir(tmp .. "/lc/deploy/x.yaml"), tmp .. "/lc")
  vim.fn.writefile({ "import prefect" }, tmp .. "/lc/flows.py")
  vim.fn.writefile({ "import os" }, tmp .. "/lc/other.py")
  eq(lc.default_config.root_dir(tmp .. "/lc/flows.py"), tmp .. "/lc")
  eq(lc.default_config.root_dir(tmp .. "/lc/other.py"), nil)
  vim.g.prefect_lsp_python = false
  eq(lc.default_config.root_dir(tmp .. "/lc/flows.py"), nil)
end)

vim.fn.delete(tmp, "rf")
io.stderr:write(string.format("unit.lua on nvim %d.%d.%d\n%d passed, %d failed\n",
  vim.version().major, vim.version().minor, vim.version().patch, passed, failed))
if failed > 0 then
  vim.cmd("cquit 1")
else
  vim.cmd("qall!")
end
