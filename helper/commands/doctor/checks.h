// The numbered checks, in the order doctor runs them. Each returns its
// Check with number and name set; those after 4 read and fill state.
#pragma once

#include "helper/commands/doctor/check.h"

namespace dcu::doctor {

// The name Docker runs for credHelpers value "upbound".
constexpr const char* kBinaryName = "docker-credential-upbound";
// The credHelpers value that names this helper.
constexpr const char* kHelperValue = "upbound";

// checks_local.cpp
Check CheckBinaryOnPath(Context& ctx);                        // 1
Check CheckSecretStore(Context& ctx, const DoctorState& st);  // 4
Check CheckTokenSources(Context& ctx, DoctorState& st);       // 5
// Fills st.scopes and st.store_is_source; run before checks 4 and 5.
void FindScopes(Context& ctx, DoctorState& st);

// checks_client_files.cpp
Check CheckDockerConfig(Context& ctx);       // 2
Check CheckContainersFiles(Context& ctx);    // 3

// checks_network.cpp
Check CheckEndpoints(Context& ctx, DoctorState& st);  // 6
Check CheckExchange(Context& ctx, DoctorState& st);   // 7
Check CheckRegistry(Context& ctx, DoctorState& st);   // 8
// Ends the sessions doctor opened (best effort, within the timeout).
void EndSessions(Context& ctx, DoctorState& st);

}  // namespace dcu::doctor
