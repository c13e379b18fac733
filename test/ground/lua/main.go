// Runs an Argo CD resource health script the way Argo CD does: gopher-lua (the interpreter Argo CD
// embeds), the object as a Lua table named obj, the script's returned table as the result.
// Usage: lua-health SCRIPT_FILE < object.json, prints the result as JSON.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	lua "github.com/yuin/gopher-lua"
)

func toLua(state *lua.LState, value interface{}) lua.LValue {
	switch typed := value.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(typed)
	case float64:
		return lua.LNumber(typed)
	case string:
		return lua.LString(typed)
	case []interface{}:
		table := state.NewTable()
		for _, item := range typed {
			table.Append(toLua(state, item))
		}
		return table
	case map[string]interface{}:
		table := state.NewTable()
		for key, item := range typed {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	}
	panic(fmt.Sprintf("unexpected JSON value %T", value))
}

func fromLua(value lua.LValue) interface{} {
	switch typed := value.(type) {
	case *lua.LTable:
		result := map[string]interface{}{}
		typed.ForEach(func(key, item lua.LValue) { result[key.String()] = fromLua(item) })
		return result
	case lua.LBool:
		return bool(typed)
	case lua.LNumber:
		return float64(typed)
	case lua.LString:
		return string(typed)
	}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: lua-health SCRIPT_FILE < object.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var object interface{}
	if err := json.Unmarshal(input, &object); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	state := lua.NewState()
	defer state.Close()
	state.SetGlobal("obj", toLua(state, object))
	if err := state.DoString(string(script)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	output, err := json.Marshal(fromLua(state.Get(-1)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(output))
}
