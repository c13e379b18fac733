// A runner for Argo CD health scripts on gopher-lua, the Lua that Argo CD embeds.
module dso.test/ground/lua

go 1.26.0

require github.com/yuin/gopher-lua v1.1.1
